//! SVG charts of throughput against threads, one per workload, key type and
//! distribution, written next to the CSV.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::report::Row;

const PALETTE: [RGBColor; 10] = [
    RGBColor(214, 39, 40), // kvs: red, drawn thicker
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Draws one chart per (workload, keys, distribution) found in `rows`;
/// returns the files written.
pub fn charts(rows: &[Row], dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut groups: Vec<(&str, &str, &str)> = Vec::new();
    for r in rows {
        let g = (
            r.workload.as_str(),
            r.keys.as_str(),
            r.distribution.as_str(),
        );
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let mut written = Vec::new();
    for (w, k, d) in groups {
        let group: Vec<&Row> = rows
            .iter()
            .filter(|r| r.workload == w && r.keys == k && r.distribution == d)
            .collect();
        let path = dir.join(format!("{w}-{k}-{d}.svg"));
        chart(&group, &format!("{w}, {k} keys, {d}"), &path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn chart(rows: &[&Row], title: &str, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut maps: Vec<&str> = Vec::new();
    for r in rows {
        if !maps.contains(&r.map.as_str()) {
            maps.push(&r.map);
        }
    }
    let max_threads = rows.iter().map(|r| r.threads).max().unwrap_or(1).max(2);
    let max_mops = rows.iter().map(|r| r.mops()).fold(0.0, f64::max).max(0.001) * 1.1;

    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1usize..max_threads, 0.0..max_mops)?;
    chart
        .configure_mesh()
        .x_desc("threads")
        .y_desc("Mop/s (higher is better)")
        .x_labels(max_threads.min(16))
        .draw()?;
    for (i, map) in maps.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let width = if *map == "kvs" || map.starts_with("kvs-") {
            3
        } else {
            1
        };
        let mut points: Vec<(usize, f64)> = rows
            .iter()
            .filter(|r| r.map == *map)
            .map(|r| (r.threads, r.mops()))
            .collect();
        points.sort_by_key(|p| p.0);
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(width)))?
            .label(*map)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width))
            });
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_svg_per_group_with_every_map_in_the_legend() {
        let row = Row::sample;
        let rows = vec![
            row("ReadHeavy", "kvs", 1, 10),
            row("ReadHeavy", "kvs", 2, 20),
            row("ReadHeavy", "dashmap-sip", 1, 9),
            row("ReadHeavy", "dashmap-sip", 2, 15),
            row("Exchange", "kvs", 1, 5),
        ];
        let dir = std::env::temp_dir().join(format!("kvs-bench-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = charts(&rows, &dir).unwrap();
        assert_eq!(files.len(), 2);
        let svg = std::fs::read_to_string(&files[0]).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("dashmap-sip") && svg.contains("kvs"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
