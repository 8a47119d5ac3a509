package tensor

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/internal/golden"
	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// goldenOps maps each fixture case to the same computation in kaiwu.
var goldenOps = map[string]func(in map[string]*Tensor, targets []int) (*Tensor, error){
	"add_broadcast":            func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Add(in["a"], in["b"]) },
	"sub":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Sub(in["a"], in["b"]) },
	"mul_broadcast":            func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Mul(in["a"], in["b"]) },
	"div":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Div(in["a"], in["b"]) },
	"pow":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Pow(in["a"], in["b"]) },
	"maximum":                  func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Maximum(in["a"], in["b"]) },
	"exp":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Exp(in["a"]) },
	"log":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Log(in["a"]) },
	"sqrt":                     func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Sqrt(in["a"]) },
	"tanh":                     func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Tanh(in["a"]) },
	"sigmoid":                  func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Sigmoid(in["a"]) },
	"relu":                     func(in map[string]*Tensor, _ []int) (*Tensor, error) { return ReLU(in["a"]) },
	"gelu":                     func(in map[string]*Tensor, _ []int) (*Tensor, error) { return GELU(in["a"]) },
	"leaky_relu":               func(in map[string]*Tensor, _ []int) (*Tensor, error) { return LeakyReLU(in["a"], 0.1) },
	"clamp":                    func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Clamp(in["a"], -0.5, 0.7) },
	"abs":                      func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Abs(in["a"]) },
	"softmax":                  func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Softmax(in["a"], 1) },
	"log_softmax":              func(in map[string]*Tensor, _ []int) (*Tensor, error) { return LogSoftmax(in["a"], 0) },
	"sum_dim1_keep":            func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Sum(in["a"], []int{1}, true) },
	"mean_dims02":              func(in map[string]*Tensor, _ []int) (*Tensor, error) { return Mean(in["a"], []int{0, 2}, false) },
	"max_dim1":                 func(in map[string]*Tensor, _ []int) (*Tensor, error) { return in["a"].Max(1, false) },
	"var_dim0":                 func(in map[string]*Tensor, _ []int) (*Tensor, error) { return in["a"].Var([]int{0}, 1, false) },
	"matmul_2d":                func(in map[string]*Tensor, _ []int) (*Tensor, error) { return MatMul(in["a"], in["b"]) },
	"matmul_batched_broadcast": func(in map[string]*Tensor, _ []int) (*Tensor, error) { return MatMul(in["a"], in["b"]) },
	"matmul_vec":               func(in map[string]*Tensor, _ []int) (*Tensor, error) { return MatMul(in["a"], in["b"]) },
	"linear_bias": func(in map[string]*Tensor, _ []int) (*Tensor, error) {
		return Linear(in["x"], in["w"], in["b"], kernels.ActNone)
	},
	"linear_relu": func(in map[string]*Tensor, _ []int) (*Tensor, error) {
		return Linear(in["x"], in["w"], in["b"], kernels.ActReLU)
	},
	"mse": func(in map[string]*Tensor, _ []int) (*Tensor, error) { return MSE(in["p"], in["t"]) },
	"transpose_mul": func(in map[string]*Tensor, _ []int) (*Tensor, error) {
		at, err := in["a"].T()
		if err != nil {
			return nil, err
		}
		return Mul(at, in["b"])
	},
	"cross_entropy": func(in map[string]*Tensor, tg []int) (*Tensor, error) { return CrossEntropy(in["logits"], tg) },
}

// TestAgainstPyTorch checks forward values and gradients against PyTorch
// float32 (DESIGN.md: forward atol 1e-5/rtol 1e-4; matmul-heavy 1e-4/1e-3).
// The fixture testdata/torch_golden.safetensors is written by
// bench/pytorch/tensor_golden.py (layout: docs/formats/golden-fixtures.md).
func TestAgainstPyTorch(t *testing.T) {
	g := golden.Open(t, "testdata/torch_golden.safetensors")
	if len(g.Cases) != len(goldenOps) {
		t.Fatalf("fixture has %d cases, the test knows %d", len(g.Cases), len(goldenOps))
	}
	for _, name := range g.Cases {
		t.Run(name, func(t *testing.T) {
			op, ok := goldenOps[name]
			if !ok {
				t.Fatalf("no kaiwu op for fixture case %q", name)
			}
			atol, rtol := 1e-5, 1e-4
			if name[:3] == "mat" || name[:3] == "lin" {
				atol, rtol = 1e-4, 1e-3
			}
			in := map[string]*Tensor{}
			for _, f := range g.Fields(name, "in/") {
				v := g.Get(t, name, f)
				in[f[len("in/"):]] = Must(FromSlice(v.Float32s(), v.Shape...)).SetRequiresGrad(true)
			}
			if len(in) == 0 {
				t.Fatal("no inputs in the fixture")
			}
			var targets []int
			if tg := g.Tensor(name + "/targets"); tg != nil {
				targets = tg.MustInts(t)
			}
			out, err := op(in, targets)
			if err != nil {
				t.Fatal(err)
			}
			want := g.Get(t, name, "out")
			if !sameShape(out.Shape(), want.Shape) {
				t.Fatalf("shape %v, PyTorch %v", out.Shape(), want.Shape)
			}
			closeTo(t, "out", out.Data(), want.Float32s(), atol, rtol)
			w := Must(FromSlice(g.Get(t, name, "weight").Float32s(), want.Shape...))
			if len(want.Shape) == 0 {
				w = Must(FromSlice(g.Get(t, name, "weight").Float32s()))
			}
			loss := Must(SumAll(Must(Mul(out, w))))
			if err := loss.Backward(); err != nil {
				t.Fatal(err)
			}
			grads := g.Fields(name, "grad/")
			if len(grads) == 0 {
				t.Fatal("no gradients in the fixture")
			}
			for _, f := range grads {
				k := f[len("grad/"):]
				if in[k] == nil || in[k].Grad() == nil {
					t.Fatalf("no gradient for %s", k)
				}
				closeTo(t, "grad "+k, in[k].Grad().Data(), g.Get(t, name, f).Float32s(), atol, rtol)
			}
		})
	}
}

func closeTo(t *testing.T, what string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > atol+rtol*math.Abs(float64(want[i])) {
			t.Errorf("%s[%d] = %.8g, PyTorch %.8g", what, i, got[i], want[i])
		}
	}
}
