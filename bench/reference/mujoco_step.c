/* Native MuJoCo (the C library, e.g. Debian's libmujoco-dev) stepping a Gymnasium locomotion model the
 * way Gymnasium's MujocoEnv does per env step: ctrl <- a uniform random action in ctrlrange, frame_skip
 * mj_step calls, then mj_rnePostConstraint. No resets (the engine's own rate, without the env's Python).
 * Usage: mujoco_step <model.xml> <frame_skip> <env_steps>; prints the env steps per second.
 * Built and run by bench/mujoco.bench.ts when a C compiler and libmujoco are installed. */
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static double uniform(void) { /* xorshift64*: reproducible and cheap */
  state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
  return (double)((state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s model.xml frame_skip env_steps\n", argv[0]); return 2; }
  char error[1000] = "";
  mjModel *m = mj_loadXML(argv[1], NULL, error, sizeof error);
  if (!m) { fprintf(stderr, "cannot load %s: %s\n", argv[1], error); return 1; }
  mjData *d = mj_makeData(m);
  int frameSkip = atoi(argv[2]);
  long steps = atol(argv[3]);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long s = 0; s < steps; s++) {
    for (int i = 0; i < m->nu; i++) {
      double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
      d->ctrl[i] = lo + (hi - lo) * uniform();
    }
    for (int k = 0; k < frameSkip; k++) mj_step(m, d);
    mj_rnePostConstraint(m, d);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.1f\n", steps / seconds);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
