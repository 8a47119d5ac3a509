package gradcheck_test

import (
	"fmt"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckPassesAndCatchesWrongGradients(t *testing.T) {
	rng := tensor.NewRNG(1)
	a, b := gradcheck.Rand(rng, 3, 4), gradcheck.Rand(rng, 4, 2)
	gradcheck.Check(t, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return tensor.MatMul(in[0], in[1]) }, a, b)

	// a function whose graph hides a dependency: autograd sees no gradient
	// through the detached branch, finite differences do
	r := &recorder{TB: t}
	x := gradcheck.Rand(rng, 5)
	gradcheck.Check(r, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
		return tensor.Mul(in[0], in[0].Detach())
	}, x)
	if len(r.errs) == 0 {
		t.Fatal("a wrong gradient was not reported")
	}
}
