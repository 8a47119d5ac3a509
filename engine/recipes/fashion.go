package recipes

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// FashionDir is where Debian's dataset-fashion-mnist installs the four
// Fashion-MNIST IDX files.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// FashionConfig configures FashionMLP and FashionCNN. Zero fields take
// the recipe's defaults.
type FashionConfig struct {
	// Dir holds the IDX files (default FashionDir). Ignored when Train
	// and Test are set.
	Dir string
	// Train and Test, when both set, replace the files (tests use a
	// small synthetic set).
	Train, Test *data.Images
	// TrainLimit and TestLimit keep only the first N images of each
	// split (0: all).
	TrainLimit, TestLimit int
	Epochs                int     // default 10 (MLP) or 5 (CNN)
	MaxSteps              int     // stop after this many optimizer steps (0: no limit)
	Batch                 int     // default 128 (MLP) or 64 (CNN)
	LR                    float64 // Adam learning rate, default 1e-3
	Seed                  uint64  // default 1
}

func (c FashionConfig) withDefaults(epochs, batch int) FashionConfig {
	if c.Dir == "" {
		c.Dir = FashionDir
	}
	if c.Epochs == 0 {
		c.Epochs = epochs
	}
	if c.Batch == 0 {
		c.Batch = batch
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

func (c FashionConfig) validate() error {
	switch {
	case c.Epochs < 1 || c.Epochs > 1000:
		return fmt.Errorf("recipes: fashion: epochs %d: want 1..1000", c.Epochs)
	case c.MaxSteps < 0:
		return fmt.Errorf("recipes: fashion: max steps %d must not be negative", c.MaxSteps)
	case c.Batch < 1:
		return fmt.Errorf("recipes: fashion: batch %d must be positive", c.Batch)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("recipes: fashion: learning rate %g: want (0, 10)", c.LR)
	case c.TrainLimit < 0 || c.TestLimit < 0:
		return fmt.Errorf("recipes: fashion: limits %d, %d must not be negative", c.TrainLimit, c.TestLimit)
	case (c.Train == nil) != (c.Test == nil):
		return fmt.Errorf("recipes: fashion: set both Train and Test, or neither")
	}
	return nil
}

// load returns the train and test images, cut to the limits.
func (c FashionConfig) load() (tr, te *data.Images, err error) {
	tr, te = c.Train, c.Test
	if tr == nil {
		if tr, te, err = data.LoadMNIST(c.Dir); err != nil {
			return nil, nil, fmt.Errorf("recipes: fashion: %w (install dataset-fashion-mnist, or set the directory)", err)
		}
	}
	return headImages(tr, c.TrainLimit), headImages(te, c.TestLimit), nil
}

// headImages keeps the first n images of d (all when n is 0 or too big).
func headImages(d *data.Images, n int) *data.Images {
	if n == 0 || n >= d.Len() {
		return d
	}
	sz := d.C * d.H * d.W
	cp := *d
	cp.X, cp.Labels = d.X[:n*sz], d.Labels[:n]
	return &cp
}

// FashionMLP trains a 784-256-10 perceptron (Linear, ReLU, Linear) on
// Fashion-MNIST: pixels scaled to [0, 1], Adam lr 1e-3, batch 128,
// 10 epochs, cross-entropy; it reports test accuracy after every epoch.
// The PyTorch recipe is bench/pytorch/recipes/fashion.py --model mlp.
func FashionMLP(cfg FashionConfig, progress Progress) (Result, error) {
	cfg = cfg.withDefaults(10, 128)
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	tr, te, err := cfg.load()
	if err != nil {
		return Result{}, err
	}
	in := tr.C * tr.H * tr.W
	model, err := nn.NewMLP(tensor.NewRNG(cfg.Seed), in, 256, tr.Classes)
	if err != nil {
		return Result{}, err
	}
	r := fashionResult("fashion-mlp", fmt.Sprintf("mlp %d-256-%d", in, tr.Classes), model, tr, te, cfg)
	err = fit(&r, model, tr.Classification(), te.Classification(), cfg.Epochs, cfg.MaxSteps, cfg.Batch, cfg.LR, cfg.Seed+1, train.AccuracyMetric(), progress)
	return r, err
}

// NewFashionCNN builds the recipe's CNN for c×h×w inputs and the given
// number of classes, as torch.nn.Sequential(
//
//	Conv2d(c, 32, 3), ReLU, MaxPool2d(2),
//	Conv2d(32, 64, 3), ReLU, MaxPool2d(2),
//	Flatten, Linear(64·h'·w', 128), ReLU, Linear(128, classes))
//
// with PyTorch's default initialisation (so state_dict names match:
// 0.weight, 3.weight, 7.weight, 9.weight). The ReLUs after the
// convolutions are fused into them. On 28×28 images h' = w' = 5.
func NewFashionCNN(rng *tensor.RNG, c, h, w, classes int) (*nn.Sequential, error) {
	relu := tensor.ConvParams{Act: kernels.ActReLU}
	c1, err := nn.NewConv2d(rng, c, 32, [2]int{3, 3}, relu, true)
	if err != nil {
		return nil, err
	}
	c2, err := nn.NewConv2d(rng, 32, 64, [2]int{3, 3}, relu, true)
	if err != nil {
		return nil, err
	}
	h2, w2 := ((h-2)/2-2)/2, ((w-2)/2-2)/2
	if h2 < 1 || w2 < 1 {
		return nil, fmt.Errorf("recipes: CNN: %d×%d images are too small (want at least 10×10)", h, w)
	}
	l1, err := nn.NewLinear(rng, 64*h2*w2, 128, true)
	if err != nil {
		return nil, err
	}
	l2, err := nn.NewLinear(rng, 128, classes, true)
	if err != nil {
		return nil, err
	}
	pool := tensor.PoolParams{Kernel: [2]int{2, 2}}
	return &nn.Sequential{Layers: []nn.Module{
		c1, fusedReLU{}, &nn.MaxPool2d{PoolParams: pool},
		c2, fusedReLU{}, &nn.MaxPool2d{PoolParams: pool},
		nn.NewFlatten(), l1, nn.ReLU{}, l2,
	}}, nil
}

// FashionCNN trains NewFashionCNN on Fashion-MNIST: Adam lr 1e-3,
// batch 64, 5 epochs, cross-entropy; it reports test accuracy after
// every epoch (measured: 90.8% after five; 88.8% after three at batch
// 128). The PyTorch recipe is bench/pytorch/recipes/fashion.py --model cnn.
func FashionCNN(cfg FashionConfig, progress Progress) (Result, error) {
	cfg = cfg.withDefaults(5, 64)
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	tr, te, err := cfg.load()
	if err != nil {
		return Result{}, err
	}
	model, err := NewFashionCNN(tensor.NewRNG(cfg.Seed), tr.C, tr.H, tr.W, tr.Classes)
	if err != nil {
		return Result{}, err
	}
	r := fashionResult("fashion-cnn", "cnn conv32-pool-conv64-pool-fc128", model, tr, te, cfg)
	err = fit(&r, model, tr, te, cfg.Epochs, cfg.MaxSteps, cfg.Batch, cfg.LR, cfg.Seed+1, train.AccuracyMetric(), progress)
	return r, err
}

func fashionResult(recipe, desc string, model nn.Module, tr, te *data.Images, cfg FashionConfig) Result {
	return Result{Recipe: recipe, Dataset: "fashion-mnist", TrainSamples: tr.Len(), TestSamples: te.Len(),
		Model: desc, Parameters: nn.NumParams(model), Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch,
		Epochs: cfg.Epochs, Seed: cfg.Seed, Metric: "accuracy", Baseline: 1 / float64(max(tr.Classes, 1))}
}

// fusedReLU stands where torch.nn.ReLU stands in the PyTorch model, so
// that layer indices (and state_dict names) match; the preceding
// convolution already applied the ReLU in its write-back.
type fusedReLU struct{}

// Forward returns x: the ReLU was fused into the convolution before it.
func (fusedReLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return x, nil }

// Parameters implements nn.Module: none.
func (fusedReLU) Parameters() []nn.Param { return nil }
