package tensor_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func ExampleMatMul() {
	a := tensor.Must(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	b := tensor.Must(tensor.FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2))
	c, err := tensor.MatMul(a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	_, err = tensor.MatMul(a, a)
	fmt.Println(err)
	// Output:
	// [[58 64]
	//  [139 154]]
	// tensor: matmul: shapes [2 3] and [2 3]: inner dimensions 3 and 2 differ
}

func ExampleTensor_Backward() {
	// y = sum(x * x), dy/dx = 2x
	x := tensor.Must(tensor.FromSlice([]float32{1, 2, 3})).SetRequiresGrad(true)
	sq := tensor.Must(tensor.Mul(x, x))
	y := tensor.Must(sq.SumAll())
	if err := y.Backward(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Item(), x.Grad())
	// Output: 14 [2 4 6]
}

func ExampleTensor_Softmax() {
	x := tensor.Must(tensor.FromSlice([]float32{1, 2, 3}))
	fmt.Println(tensor.Must(x.Softmax(0)))
	// Output: [0.09003057 0.24472848 0.66524094]
}

func ExampleAdd() {
	// [2,3] + [3] broadcasts the row over both rows
	a := tensor.Must(tensor.FromSlice([]float32{0, 0, 0, 10, 10, 10}, 2, 3))
	b := tensor.Must(tensor.FromSlice([]float32{1, 2, 3}))
	fmt.Println(tensor.Must(tensor.Add(a, b)))
	// Output:
	// [[1 2 3]
	//  [11 12 13]]
}

func ExampleLinear() {
	x := tensor.Must(tensor.FromSlice([]float32{1, -1}, 1, 2))
	w := tensor.Must(tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)) // [out, in]
	b := tensor.Must(tensor.FromSlice([]float32{0.5, 0.5}))
	y := tensor.Must(tensor.Linear(x, w, b, kernels.ActReLU)) // relu(x·wᵀ + b)
	fmt.Println(y)
	// Output: [[0 0]]
}

func ExampleCrossEntropy() {
	logits := tensor.Must(tensor.FromSlice([]float32{1, 2, 3}, 1, 3))
	loss := tensor.Must(tensor.CrossEntropy(logits, []int{2}))
	fmt.Printf("%.6f\n", loss.Item())
	// Output: 0.407606
}

func ExampleNoGrad() {
	w := tensor.Must(tensor.Ones(2)).SetRequiresGrad(true)
	var y *tensor.Tensor
	tensor.NoGrad(func() {
		y = tensor.Must(w.MulScalar(2))
	})
	fmt.Println(y, y.RequiresGrad())
	// Output: [2 2] false
}

func ExampleArena() {
	w := tensor.Must(tensor.Ones(3)).SetRequiresGrad(true) // a parameter: heap
	arena := tensor.NewArena()
	restore := tensor.UseArena(arena)
	defer restore()
	for step := 0; step < 3; step++ {
		arena.Reset() // recycles every tensor of the previous step
		loss := tensor.Must(tensor.Must(w.MulScalar(0.5)).SumAll())
		if err := loss.Backward(); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(w.Grad()) // accumulated over 3 steps
	// Output: [1.5 1.5 1.5]
}

func ExampleTensor_Slice() {
	x := tensor.Must(tensor.Arange(0, 10, 1))
	fmt.Println(tensor.Must(x.Slice(0, 1, -1, 3)))
	// Output: [1 4 7]
}
