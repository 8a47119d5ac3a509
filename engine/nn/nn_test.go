package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// fixedMLP is the network of bench/pytorch/nn_reference.py.
func fixedMLP(t *testing.T) *Sequential {
	t.Helper()
	f := func(d []float32, shape ...int) *tensor.Tensor {
		return tensor.Must(tensor.FromSlice(d, shape...)).SetRequiresGrad(true)
	}
	return &Sequential{Layers: []Module{
		&Linear{In: 3, Out: 4,
			Weight: f([]float32{0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 0.05, -0.15, 0.25}, 4, 3),
			Bias:   f([]float32{0.01, -0.02, 0.03, 0.5}, 4)},
		ReLU{},
		&Linear{In: 4, Out: 2,
			Weight: f([]float32{0.2, -0.1, 0.4, 0.3, -0.3, 0.6, -0.5, 0.1}, 2, 4),
			Bias:   f([]float32{0.05, -0.05}, 2)},
	}}
}

func near(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > 1e-5+1e-4*math.Abs(want[i]) {
			t.Errorf("%s[%d] = %.8g, PyTorch %.8g", what, i, got[i], want[i])
		}
	}
}

// TestMLPAgainstPyTorch compares logits, loss and every parameter gradient
// with PyTorch 1.13.1 (bench/pytorch/nn_reference.py).
func TestMLPAgainstPyTorch(t *testing.T) {
	for _, fused := range []bool{true, false} {
		t.Run(fmt.Sprintf("fused=%v", fused), func(t *testing.T) {
			m := fixedMLP(t)
			var model Module = m
			if !fused { // run the layers one by one: no Linear+ReLU fusion
				model = unfused{m}
			}
			x := tensor.Must(tensor.FromSlice([]float32{1, 2, -1, 0.5, -0.5, 0.25, -1, 0, 2}, 3, 3))
			logits, err := model.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "logits", logits.Data(), []float64{-0.13599998, 1.1230001, 0.29575002, -0.054250006, 1.4489999, -1.3729999})
			loss, err := tensor.CrossEntropy(logits, []int{1, 0, 1})
			if err != nil {
				t.Fatal(err)
			}
			near(t, "loss", []float32{float32(loss.Item())}, []float64{1.2210329})
			if err := loss.Backward(); err != nil {
				t.Fatal(err)
			}
			want := map[string][]float64{
				"0.weight": {-0.1917574, 0.034448534, 0.29739344, -0.051600762, -0.10320152, 0.051600762, -0.21681212, 0.13268766, 0.49996805, -0.07670296, 0.013779414, 0.11895738},
				"0.bias":   {0.088411793, -0.051600762, 0.34949976, 0.035364717},
				"2.weight": {0.12807341, 0.14595641, 0.79819429, 0.20759821, -0.12807341, -0.14595644, -0.79819429, -0.20759821},
				"2.bias":   {0.25053895, -0.25053895},
			}
			ps := m.Parameters()
			if len(ps) != len(want) {
				t.Fatalf("%d parameters, want %d", len(ps), len(want))
			}
			for _, p := range ps {
				if p.Tensor.Grad() == nil {
					t.Fatalf("%s has no gradient", p.Name)
				}
				near(t, "grad "+p.Name, p.Tensor.Grad().Data(), want[p.Name])
			}
		})
	}
}

// unfused runs a Sequential's layers one at a time.
type unfused struct{ s *Sequential }

func (u unfused) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	var err error
	for _, l := range u.s.Layers {
		if x, err = l.Forward(x); err != nil {
			return nil, err
		}
	}
	return x, nil
}
func (u unfused) Parameters() []Param { return u.s.Parameters() }

func TestNewLinearInit(t *testing.T) {
	l, err := NewLinear(tensor.NewRNG(3), 100, 50, true)
	if err != nil {
		t.Fatal(err)
	}
	if s := l.Weight.Shape(); s[0] != 50 || s[1] != 100 {
		t.Fatalf("weight shape %v, want [50 100] (PyTorch layout [out, in])", s)
	}
	// torch.nn.Linear's default init: U(-1/√in, 1/√in) = U(-0.1, 0.1).
	var sum, sq float64
	for _, v := range l.Weight.Data() {
		if v < -0.1 || v > 0.1 {
			t.Fatalf("weight %g outside ±0.1", v)
		}
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(l.Weight.Numel())
	// Uniform(-0.1, 0.1): mean 0, variance 0.01/3; 5000 draws.
	if mean, v := sum/n, sq/n; math.Abs(mean) > 0.005 || math.Abs(v-0.01/3) > 0.0004 {
		t.Fatalf("weight mean %g, variance %g; want ≈0 and ≈%g", mean, v, 0.01/3)
	}
	if !l.Weight.RequiresGrad() || !l.Bias.RequiresGrad() {
		t.Fatal("parameters must require grad")
	}
	if _, err := NewLinear(tensor.NewRNG(1), 0, 3, true); err == nil {
		t.Fatal("Linear(0, 3) accepted")
	}
}

func TestMLPLayoutAndErrors(t *testing.T) {
	m, err := NewMLP(tensor.NewRNG(1), 784, 512, 512, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Parameters() {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "0.weight 0.bias 2.weight 2.bias 4.weight 4.bias" {
		t.Fatalf("state_dict names %q differ from torch.nn.Sequential's", got)
	}
	if n := NumParams(m); n != 784*512+512+512*512+512+512*10+10 {
		t.Fatalf("NumParams = %d", n)
	}
	x := tensor.Must(tensor.Zeros(2, 100))
	_, err = m.Forward(x)
	if err == nil || !strings.Contains(err.Error(), "layer 0") || !strings.Contains(err.Error(), "[2 100]") {
		t.Fatalf("wrong input width: error %v should name the layer and the shape", err)
	}
	if _, err := NewMLP(tensor.NewRNG(1), 5); err == nil {
		t.Fatal("MLP with one size accepted")
	}
}

func TestFusedLinearReLU(t *testing.T) {
	l, _ := NewLinear(tensor.NewRNG(2), 8, 6, true)
	l.Act = kernels.ActReLU
	x := tensor.Must(tensor.Randn(tensor.NewRNG(5), 4, 8))
	y, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	l.Act = kernels.ActNone
	z := tensor.Must(tensor.ReLU(tensor.Must(l.Forward(x))))
	for i, v := range y.Data() {
		if v != z.Data()[i] {
			t.Fatalf("fused %g != unfused %g at %d", v, z.Data()[i], i)
		}
	}
}

func ExampleNewMLP() {
	m, _ := NewMLP(tensor.NewRNG(1), 2, 16, 3)
	for _, p := range m.Parameters() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// 0.weight [16 2]
	// 0.bias [16]
	// 2.weight [3 16]
	// 2.bias [3]
}

// TestLossCurveMatchesPyTorch trains the fixed MLP for 20 Adam steps and
// compares every step's loss with PyTorch's (bench/pytorch/nn_reference.py,
// "adam loss curve"); DESIGN.md asks for agreement to 1e-2, we hold 1e-4.
func TestLossCurveMatchesPyTorch(t *testing.T) {
	want := []float64{0.41559696, 0.33925036, 0.26707003, 0.20166545, 0.14808536, 0.10630815, 0.074743554,
		0.052019995, 0.035979047, 0.024842734, 0.017336287, 0.012293674, 0.0088510644, 0.0064737392,
		0.0048153982, 0.003644567, 0.0028068617, 0.0021990957, 0.0017518734, 0.0014181029}
	m := fixedMLP(t)
	xs := make([]float32, 16*3)
	ys := make([]int, 16)
	for i := 0; i < 16; i++ {
		for j := 0; j < 3; j++ {
			xs[i*3+j] = float32(math.Sin(float64(3*i + j)))
		}
		ys[i] = i % 2
	}
	x := tensor.Must(tensor.FromSlice(xs, 16, 3))
	opt, err := optim.NewAdam(Tensors(m), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	for step, w := range want {
		opt.ZeroGrad()
		loss, err := tensor.CrossEntropy(tensor.Must(m.Forward(x)), ys)
		if err != nil {
			t.Fatal(err)
		}
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(loss.Item() - w); d > 1e-4*math.Max(1, w) {
			t.Errorf("step %d: loss %.8g, PyTorch %.8g", step, loss.Item(), w)
		}
	}
}
