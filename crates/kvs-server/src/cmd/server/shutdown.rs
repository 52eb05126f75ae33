//! `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]`: saves (per the save policy, or as
//! told) and stops the server. On success the client gets no reply: the
//! connection closes.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};
use crate::state::StopReason;

pub(crate) struct Shutdown {
    save: Option<bool>,
    force: bool,
}

impl Shutdown {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let mut s = Shutdown {
            save: None,
            force: false,
        };
        for opt in p.rest() {
            if is(&opt, "nosave") && s.save != Some(true) {
                s.save = Some(false);
            } else if is(&opt, "save") && s.save != Some(false) {
                s.save = Some(true);
            } else if is(&opt, "force") {
                s.force = true;
            } else if is(&opt, "now") {
            } else {
                return Err(ParseError::Syntax);
            }
        }
        Ok(s)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let shared = ctx.shared;
        let save = self
            .save
            .unwrap_or_else(|| !shared.settings.save_policy().is_empty());
        if save {
            let r = tokio::task::block_in_place(|| shared.persist.save(&shared.keyspace));
            if r.is_err() && !self.force {
                return Some(Frame::err("ERR Errors trying to SHUTDOWN. Check logs."));
            }
        }
        tracing::warn!("SHUTDOWN from client {}: stopping", ctx.session.info.addr);
        shared.stop(StopReason::Command);
        ctx.session.close = true;
        None
    }
}
