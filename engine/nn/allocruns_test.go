package nn

// allocRuns is how many steps the allocation tests measure. With the
// worker pool the Go runtime itself may allocate a few objects while the
// steps run (a new OS thread's goroutine descriptor when the machine is
// loaded, as on CI); testing.AllocsPerRun truncates mallocs/runs, so
// those few vanish over many runs while one allocation in every step
// still fails the test.
const allocRuns = 100
