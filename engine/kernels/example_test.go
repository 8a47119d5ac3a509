package kernels_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

func ExampleSgemm() {
	// A is 2×3, B is 3×2, both row-major.
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		7, 8,
		9, 10,
		11, 12,
	}
	c := make([]float32, 2*2)
	kernels.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c[0:2])
	fmt.Println(c[2:4])
	// Output:
	// [58 64]
	// [139 154]
}

func ExampleSgemmBias() {
	// y = relu(x·Wᵀ + b) for a Linear layer with weight W [out=2, in=3].
	x := []float32{1, -1, 2}
	w := []float32{
		1, 0, 1,
		-1, 1, 0,
	}
	bias := []float32{0.5, 0.5}
	y := make([]float32, 2)
	kernels.SgemmBias(false, true, 1, 2, 3, x, 3, w, 3, bias, kernels.ActReLU, y, 2)
	fmt.Println(y)
	// Output:
	// [3.5 0]
}
