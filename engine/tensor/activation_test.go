package tensor_test

import (
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestActivationGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		{"silu", [][]int{{3, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return tensor.SiLU(in[0]) }},
		{"silu/transposed", [][]int{{3, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.Must(in[0].T()).SiLU()
		}},
	})
}
