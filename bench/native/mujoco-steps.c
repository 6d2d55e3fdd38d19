// Native MuJoCo physics steps per second on one MJCF model, the counterpart of the
// WebAssembly case in bench/mujoco.bench.ts (which compiles and runs this program).
//
//   mujoco-steps MODEL.xml REPETITIONS SECONDS
//
// The model is driven exactly as in the WebAssembly case: controls from the same 32-bit
// linear congruential generator, a reset to the initial state every RESET_EVERY steps.
// Timing follows bench/harness.ts: the iteration count is calibrated to about SECONDS per
// repetition (the calibration doubles as warm-up), one untimed run, then REPETITIONS timed
// runs. Prints one JSON line: mujocoVersion, checkX (the root's x after CHECK_STEPS steps, to
// compare trajectories), stepsPerRepetition, repetitions (steps/s each) and stepsPerSecond
// (their median).
#include <mujoco/mujoco.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CONTROL_ROWS 4096
#define RESET_EVERY 1000
#define CHECK_STEPS 500

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static mjtNum* controls;
static long step_count;

// Steps `iterations` times; returns the seconds taken.
static double run(const mjModel* m, mjData* d, long iterations) {
  double start = now_seconds();
  for (long i = 0; i < iterations; i++) {
    const mjtNum* row = controls + (step_count % CONTROL_ROWS) * m->nu;
    for (int k = 0; k < m->nu; k++) d->ctrl[k] = row[k];
    mj_step(m, d);
    if (++step_count % RESET_EVERY == 0) mj_resetData(m, d);
  }
  return now_seconds() - start;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MODEL.xml REPETITIONS SECONDS\n", argv[0]);
    return 2;
  }
  int repetitions = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (repetitions < 1 || repetitions > 1000 || !(seconds > 0)) {
    fprintf(stderr, "REPETITIONS must be 1-1000 and SECONDS > 0, got %s and %s\n", argv[2], argv[3]);
    return 2;
  }
  char error[1000] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof error);
  if (!m) {
    fprintf(stderr, "could not load %s: %s\n", argv[1], error);
    return 1;
  }
  mjData* d = mj_makeData(m);

  // Same generator and mapping as the TypeScript side: uniform in [-1, 1).
  controls = malloc(sizeof(mjtNum) * CONTROL_ROWS * (m->nu > 0 ? m->nu : 1));
  uint32_t state = 2024;
  for (long i = 0; i < (long)CONTROL_ROWS * m->nu; i++) {
    state = state * 1664525u + 1013904223u;
    controls[i] = (mjtNum)state / 4294967296.0 * 2.0 - 1.0;
  }

  // The same trajectory on both sides: x of the root after CHECK_STEPS steps from the reset state.
  mj_resetData(m, d);
  step_count = 0;
  run(m, d, CHECK_STEPS);
  double check_x = d->qpos[0];
  mj_resetData(m, d);
  step_count = 0;

  long iterations = 64;
  double elapsed = run(m, d, iterations);
  while (elapsed < 0.05) {
    iterations *= 2;
    elapsed = run(m, d, iterations);
  }
  iterations = (long)((double)iterations * seconds / elapsed + 0.5);
  if (iterations < 1) iterations = 1;
  run(m, d, iterations);

  double* rates = malloc(sizeof(double) * repetitions);
  for (int r = 0; r < repetitions; r++) rates[r] = (double)iterations / run(m, d, iterations);
  printf("{\"mujocoVersion\":\"%s\",\"checkX\":%.17g,\"stepsPerRepetition\":%ld,\"repetitions\":[", mj_versionString(), check_x, iterations);
  for (int r = 0; r < repetitions; r++) printf("%s%.1f", r ? "," : "", rates[r]);
  qsort(rates, repetitions, sizeof(double), compare);
  double median = repetitions % 2 ? rates[repetitions / 2] : 0.5 * (rates[repetitions / 2 - 1] + rates[repetitions / 2]);
  printf("],\"stepsPerSecond\":%.1f}\n", median);

  free(rates);
  free(controls);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
