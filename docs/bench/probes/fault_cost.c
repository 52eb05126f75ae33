/* Touches 240 MiB of fresh anonymous memory, one write per 4 KiB page, on
 * one thread and on two, and prints the times. On the 2-core development VM:
 * 100 ms on one thread, 68-72 ms on two (BENCHMARKS.md, "Snapshot load").
 *
 * Build and run: cc -O2 -pthread fault_cost.c -o fault_cost && ./fault_cost
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#define SZ (240UL << 20)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *touch_half(void *p) {
    char *c = p;
    for (size_t i = 0; i < SZ / 2; i += 4096) c[i] = 1;
    return 0;
}

static char *fresh(void) {
    return mmap(0, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void) {
    for (int r = 0; r < 3; r++) {
        char *a = fresh();
        double t = now();
        for (size_t i = 0; i < SZ; i += 4096) a[i] = 1;
        double one = now() - t;
        munmap(a, SZ);
        a = fresh();
        t = now();
        pthread_t th;
        pthread_create(&th, 0, touch_half, a);
        touch_half(a + SZ / 2);
        pthread_join(th, 0);
        double two = now() - t;
        munmap(a, SZ);
        printf("240 MiB fresh: 1 thread %.1f ms, 2 threads %.1f ms (%.2f us a page on one)\n",
               one * 1e3, two * 1e3, one * 1e6 / (SZ / 4096));
    }
    return 0;
}
