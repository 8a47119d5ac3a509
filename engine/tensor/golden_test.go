package tensor

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// goldenFile holds forward values and gradients computed by PyTorch in
// float32 (bench/pytorch/tensor_golden.py writes it).
type goldenFile struct {
	Source string `json:"source"`
	Cases  []struct {
		Name   string `json:"name"`
		Inputs map[string]struct {
			Shape []int     `json:"shape"`
			Data  []float32 `json:"data"`
		} `json:"inputs"`
		Targets []int     `json:"targets"`
		Weight  []float32 `json:"weight"`
		Out     struct {
			Shape []int     `json:"shape"`
			Data  []float32 `json:"data"`
		} `json:"out"`
		Grads map[string][]float32 `json:"grads"`
	} `json:"cases"`
}

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
func TestAgainstPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) != len(goldenOps) {
		t.Fatalf("fixture has %d cases, the test knows %d", len(g.Cases), len(goldenOps))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			op, ok := goldenOps[c.Name]
			if !ok {
				t.Fatalf("no kaiwu op for fixture case %q", c.Name)
			}
			atol, rtol := 1e-5, 1e-4
			if c.Name[:3] == "mat" || c.Name[:3] == "lin" {
				atol, rtol = 1e-4, 1e-3
			}
			in := map[string]*Tensor{}
			for k, v := range c.Inputs {
				in[k] = Must(FromSlice(append([]float32(nil), v.Data...), v.Shape...)).SetRequiresGrad(true)
			}
			out, err := op(in, c.Targets)
			if err != nil {
				t.Fatal(err)
			}
			if !sameShape(out.Shape(), c.Out.Shape) {
				t.Fatalf("shape %v, PyTorch %v", out.Shape(), c.Out.Shape)
			}
			closeTo(t, "out", out.Data(), c.Out.Data, atol, rtol)
			w := Must(FromSlice(c.Weight, c.Out.Shape...))
			if len(c.Out.Shape) == 0 {
				w = Must(FromSlice(c.Weight))
			}
			loss := Must(SumAll(Must(Mul(out, w))))
			if err := loss.Backward(); err != nil {
				t.Fatal(err)
			}
			for k, want := range c.Grads {
				if in[k].Grad() == nil {
					t.Fatalf("no gradient for %s", k)
				}
				closeTo(t, "grad "+k, in[k].Grad().Data(), want, atol, rtol)
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
