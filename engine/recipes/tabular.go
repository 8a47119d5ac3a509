package recipes

import (
	"bytes"
	"context"
	_ "embed" // the housing CSV
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// HousingCSV is the recipe's tabular data set, testdata/housing.csv:
// GenerateHousing(2000, 7), 2,000 synthetic flats with missing values and
// outliers.
//
//go:embed testdata/housing.csv
var HousingCSV []byte

// Housing features and target, in file order.
var (
	housingNumbers = []string{"area_m2", "rooms", "age_years", "distance_km"}
	housingTarget  = "price_k"
)

// GenerateHousing writes n rows of a synthetic housing table as CSV with
// the header area_m2,rooms,age_years,distance_km,district,price_k. The
// price (thousands) follows a known formula plus Gaussian noise (σ 25):
//
//	price_k = 20 + 2.5·area + 15·rooms − 1.2·age + 150·e^(−distance/6)
//	          + {north 40, east 20, south 0, west −10}[district] + ε
//
// with area ~ U(30, 200) m², rooms ≈ area/25 (1..8), age ~ U(0, 60)
// years, distance ~ Exp(mean 8) km (at most 40). Like real data it is
// messy: each feature is missing ("" or "NA") in about 4% of the rows,
// and about 1% of the areas are recorded in dm² (×100) and 1% of the
// distances as the sentinel 999 — outliers that cleaning must clip. The
// price itself is always present. The same n and seed give the same bytes.
func GenerateHousing(n int, seed uint64) []byte {
	rng := tensor.NewRNG(seed)
	districts := []string{"north", "east", "south", "west"}
	effect := map[string]float64{"north": 40, "east": 20, "south": 0, "west": -10}
	var b bytes.Buffer
	b.WriteString("area_m2,rooms,age_years,distance_km,district,price_k\n")
	missing := func() string {
		if rng.Intn(2) == 0 {
			return ""
		}
		return "NA"
	}
	for i := 0; i < n; i++ {
		area := 30 + 170*rng.Float64()
		rooms := math.Max(1, math.Min(8, math.Round(area/25+0.7*rng.NormFloat64())))
		age := 60 * rng.Float64()
		dist := math.Min(40, -8*math.Log(1-rng.Float64()))
		d := districts[rng.Intn(len(districts))]
		price := 20 + 2.5*area + 15*rooms - 1.2*age + 150*math.Exp(-dist/6) + effect[d] + 25*rng.NormFloat64()
		fields := []string{
			strconv.FormatFloat(area, 'f', 1, 64), strconv.Itoa(int(rooms)),
			strconv.FormatFloat(age, 'f', 0, 64), strconv.FormatFloat(dist, 'f', 2, 64), d,
		}
		if rng.Float64() < 0.01 {
			fields[0] = strconv.FormatFloat(100*area, 'f', 0, 64)
		}
		if rng.Float64() < 0.01 {
			fields[3] = "999"
		}
		for j := range fields {
			if rng.Float64() < 0.04 {
				fields[j] = missing()
			}
		}
		b.WriteString(strings.Join(fields, ",") + "," + strconv.FormatFloat(price, 'f', 1, 64) + "\n")
	}
	return b.Bytes()
}

// TabularConfig configures TabularRegression. Zero fields take the
// defaults.
type TabularConfig struct {
	// Path is a CSV file with the housing columns; empty means the
	// embedded HousingCSV.
	Path     string
	Hidden   int     // width of the two hidden layers (default 64)
	Epochs   int     // default 60
	MaxSteps int     // stop after this many optimizer steps (0: no limit)
	Batch    int     // default 32
	LR       float64 // Adam learning rate (default 1e-3)
	Seed     uint64  // default 1
}

func (c TabularConfig) withDefaults() TabularConfig {
	if c.Hidden == 0 {
		c.Hidden = 64
	}
	if c.Epochs == 0 {
		c.Epochs = 60
	}
	if c.Batch == 0 {
		c.Batch = 32
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

func (c TabularConfig) validate() error {
	switch {
	case c.Hidden < 1 || c.Batch < 1:
		return fmt.Errorf("recipes: tabular: hidden %d and batch %d must be positive", c.Hidden, c.Batch)
	case c.Epochs < 1 || c.Epochs > 100000 || c.MaxSteps < 0:
		return fmt.Errorf("recipes: tabular: epochs %d (want 1..100000), max steps %d (want ≥ 0)", c.Epochs, c.MaxSteps)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("recipes: tabular: learning rate %g: want (0, 10)", c.LR)
	}
	return nil
}

// HousingPipeline is the recipe's cleaning and normalisation, fitted on
// the training rows only: median imputation of the numbers, most-frequent
// imputation of the district, clipping of the numbers to Tukey's fences
// (IQR, k = 1.5), one-hot encoding of the district and z-scores of the
// numbers.
func HousingPipeline() *data.Pipeline {
	return data.NewPipeline(
		&data.Impute{Columns: housingNumbers, Strategy: data.Median},
		&data.Impute{Columns: []string{"district"}, Strategy: data.MostFrequent},
		&data.Clip{Columns: housingNumbers, Method: data.IQR, K: 1.5},
		&data.OneHot{Columns: []string{"district"}},
		&data.Scale{Columns: housingNumbers, Method: data.ZScore},
	)
}

// splitRows cuts CSV text into two CSV texts with the header: every
// fifth data row (rows 5, 10, …) goes to the test part.
func splitRows(csv []byte) (train, test []byte, err error) {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(csv), "\r\n", "\n"), "\n"), "\n")
	if len(lines) < 6 {
		return nil, nil, fmt.Errorf("recipes: tabular: %d data rows are too few (want at least 5)", len(lines)-1)
	}
	var tr, te strings.Builder
	tr.WriteString(lines[0] + "\n")
	te.WriteString(lines[0] + "\n")
	for i, l := range lines[1:] {
		if i%5 == 4 {
			te.WriteString(l + "\n")
		} else {
			tr.WriteString(l + "\n")
		}
	}
	return []byte(tr.String()), []byte(te.String()), nil
}

// TabularRegression predicts price_k from the housing CSV: every fifth
// row is the test split; HousingPipeline cleans and normalises the
// features (fitted on the training rows), the target is z-scored with
// the training mean and deviation, and an MLP in-64-64-1 (ReLU) trains
// with MSE, Adam lr 1e-3, batch 32, 60 epochs. The metric is R² on the
// test rows (in the target's units, which z-scoring does not change);
// the Baseline is the test MSE, in z units, of predicting the training
// mean. The PyTorch recipe is bench/pytorch/recipes/tabular.py. It stops
// when ctx is done (see Canceling in the package documentation).
func TabularRegression(ctx context.Context, cfg TabularConfig, progress Progress) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if err := checkCtx(ctx, "tabular-mlp", "loading the data"); err != nil {
		return Result{}, err
	}
	raw, name := HousingCSV, "housing.csv"
	if cfg.Path != "" {
		var err error
		if raw, err = os.ReadFile(cfg.Path); err != nil {
			return Result{}, fmt.Errorf("recipes: tabular: %w", err)
		}
		name = cfg.Path
	}
	trCSV, teCSV, err := splitRows(raw)
	if err != nil {
		return Result{}, err
	}
	opt := data.CSVOptions{Header: data.HeaderYes, Types: map[string]data.ColumnType{
		"area_m2": data.Number, "rooms": data.Number, "age_years": data.Number, "distance_km": data.Number,
		"district": data.Category, housingTarget: data.Number}}
	trTab, err := data.ParseCSV(bytes.NewReader(trCSV), name+" (train rows)", opt)
	if err != nil {
		return Result{}, err
	}
	teTab, err := data.ParseCSV(bytes.NewReader(teCSV), name+" (test rows)", opt)
	if err != nil {
		return Result{}, err
	}
	p := HousingPipeline()
	if trTab, err = p.Fit(trTab); err != nil {
		return Result{}, err
	}
	if teTab, err = p.Transform(teTab); err != nil {
		return Result{}, err
	}
	features := trTab.NumberNames(housingTarget)
	xtr, err := trTab.Matrix(features...)
	if err != nil {
		return Result{}, err
	}
	xte, err := teTab.Matrix(features...)
	if err != nil {
		return Result{}, err
	}
	ytr, err := trTab.Matrix(housingTarget)
	if err != nil {
		return Result{}, err
	}
	yte, err := teTab.Matrix(housingTarget)
	if err != nil {
		return Result{}, err
	}
	if err := checkCtx(ctx, "tabular-mlp", "cleaning the data"); err != nil {
		return Result{}, err
	}
	mean, std := meanStd(ytr)
	base := 0.0
	for _, y := range [][]float32{ytr, yte} {
		for i, v := range y {
			y[i] = float32((float64(v) - mean) / std)
		}
	}
	for _, v := range yte {
		base += float64(v) * float64(v)
	}
	nf := len(features)
	tr, err := data.NewMemory(len(ytr), xtr, []int{nf}, ytr, 1, nil, 0)
	if err != nil {
		return Result{}, err
	}
	te, err := data.NewMemory(len(yte), xte, []int{nf}, yte, 1, nil, 0)
	if err != nil {
		return Result{}, err
	}
	model, err := nn.NewMLP(tensor.NewRNG(cfg.Seed), nf, cfg.Hidden, cfg.Hidden, 1)
	if err != nil {
		return Result{}, err
	}
	r := Result{Recipe: "tabular-mlp", Dataset: "housing.csv (synthetic, with missing values and outliers)",
		TrainSamples: tr.Len(), TestSamples: te.Len(),
		Model:      fmt.Sprintf("mlp %d-%d-%d-1", nf, cfg.Hidden, cfg.Hidden),
		Parameters: nn.NumParams(model), Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch, Epochs: cfg.Epochs,
		Seed: cfg.Seed, Metric: "r2", Baseline: base / float64(len(yte))}
	err = fit(ctx, &r, model, tr, te, cfg.Epochs, cfg.MaxSteps, cfg.Batch, cfg.LR, cfg.Seed+1, train.R2Metric(), progress)
	return r, err
}

// meanStd is the mean and population standard deviation of xs (1 when
// the deviation is zero).
func meanStd(xs []float32) (mean, std float64) {
	for _, v := range xs {
		mean += float64(v)
	}
	mean /= float64(len(xs))
	for _, v := range xs {
		std += (float64(v) - mean) * (float64(v) - mean)
	}
	std = math.Sqrt(std / float64(len(xs)))
	if std == 0 {
		std = 1
	}
	return mean, std
}
