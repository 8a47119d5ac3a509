package train

import (
	"math"
	"slices"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g", what, got, want)
	}
}

// The multiclass example of scikit-learn's precision_recall_fscore_support
// and f1_score documentation: y_true [0 1 2 0 1 2], y_pred [0 2 1 0 0 1].
// By hand: class 0 has tp 2, fp 1, fn 0 (P 2/3, R 1, F1 0.8); classes 1
// and 2 have tp 0 (P = R = F1 = 0); each has support 2.
//
//	macro:    P 2/9 ≈ 0.222, R 1/3, F1 0.8/3 ≈ 0.267  (sklearn docs)
//	micro:    tp 2, fp 4, fn 4 → P = R = F1 = 1/3      (sklearn docs)
//	weighted: equal supports → same as macro          (sklearn docs)
func TestPrecisionRecallF1Sklearn(t *testing.T) {
	yt := []int{0, 1, 2, 0, 1, 2}
	yp := []int{0, 2, 1, 0, 0, 1}
	for _, c := range []struct {
		avg     Average
		p, r, f float64
	}{
		{Macro, 2.0 / 9, 1.0 / 3, 0.8 / 3},
		{Micro, 1.0 / 3, 1.0 / 3, 1.0 / 3},
		{Weighted, 2.0 / 9, 1.0 / 3, 0.8 / 3},
	} {
		p, r, f, err := PrecisionRecallF1(yt, yp, c.avg)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.avg.String()+" precision", p, c.p, 1e-12)
		near(t, c.avg.String()+" recall", r, c.r, 1e-12)
		near(t, c.avg.String()+" f1", f, c.f, 1e-12)
	}
	if _, _, _, err := PrecisionRecallF1(yt, yp, Binary); err == nil {
		t.Error("binary average of three classes accepted (sklearn raises)")
	}
	// Weighted with unequal support, by hand: y_true [0 0 0 1], y_pred
	// [0 0 1 1]. Class 0: P 1, R 2/3, F1 0.8, support 3. Class 1: P 1/2,
	// R 1, F1 2/3, support 1. Weighted F1 = (3·0.8 + 2/3)/4 = 0.7666…
	// (sklearn f1_score(average='weighted') gives 0.7666666666666667).
	_, _, f, _ := PrecisionRecallF1([]int{0, 0, 0, 1}, []int{0, 0, 1, 1}, Weighted)
	near(t, "weighted f1", f, (3*0.8+2.0/3)/4, 1e-12)
	// Binary, label 1: tp 1, fp 1, fn 0 → P 0.5, R 1, F1 2/3.
	p, r, f, _ := PrecisionRecallF1([]int{0, 0, 0, 1}, []int{0, 0, 1, 1}, Binary)
	near(t, "binary p", p, 0.5, 0)
	near(t, "binary r", r, 1, 0)
	near(t, "binary f1", f, 2.0/3, 1e-15)
	// zero_division: no positive predictions → precision 0, not NaN.
	p, _, f, _ = PrecisionRecallF1([]int{1, 0}, []int{0, 0}, Binary)
	if p != 0 || f != 0 {
		t.Errorf("zero division: p %g f %g", p, f)
	}
}

// sklearn.metrics.confusion_matrix documentation example.
func TestConfusionMatrixSklearn(t *testing.T) {
	m, err := ConfusionMatrix([]int{2, 0, 2, 2, 0, 1}, []int{0, 0, 2, 2, 0, 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{2, 0, 0}, {0, 0, 1}, {1, 0, 2}}
	for i := range want {
		if !slices.Equal(m[i], want[i]) {
			t.Fatalf("confusion matrix %v, want %v", m, want)
		}
	}
	if _, err := ConfusionMatrix([]int{3}, []int{0}, 3); err == nil {
		t.Error("out-of-range label accepted")
	}
	acc, _ := AccuracyScore([]int{0, 1, 2, 3}, []int{0, 2, 1, 3}) // sklearn accuracy_score docs: 0.5
	near(t, "accuracy", acc, 0.5, 0)
}

func TestROCAUC(t *testing.T) {
	for _, c := range []struct {
		y    []int
		s    []float64
		want float64
		why  string
	}{
		// sklearn.metrics.roc_auc_score documentation / roc_curve
		// example: 3 of 4 positive–negative pairs ranked right.
		{[]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8}, 0.75, "sklearn docs"},
		// Ties: the tied pair (0.5, 0.5) is one ROC point; the curve
		// (0,0)→(0,½)→(½,1)→(1,1) has area ½·¾ + ½ = 0.875 (= 3.5 of 4
		// pairs, a tie counting ½), as sklearn's trapezoid gives.
		{[]int{0, 0, 1, 1}, []float64{0.1, 0.5, 0.5, 0.9}, 0.875, "one tie"},
		{[]int{0, 1, 0, 1}, []float64{0.5, 0.5, 0.5, 0.5}, 0.5, "all tied"},
		{[]int{1, 1, 0}, []float64{3, 2, 1}, 1, "perfect"},
		{[]int{1, 1, 0}, []float64{1, 2, 3}, 0, "reversed"},
	} {
		got, err := ROCAUC(c.y, c.s)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "ROC AUC "+c.why, got, c.want, 1e-12)
	}
	if _, err := ROCAUC([]int{1, 1}, []float64{0.2, 0.3}); err == nil {
		t.Error("one class accepted (sklearn raises ValueError)")
	}
	if _, err := ROCAUC([]int{0, 2}, []float64{0.2, 0.3}); err == nil {
		t.Error("label 2 accepted")
	}
}

// sklearn.metrics r2_score / mean_squared_error / mean_absolute_error
// documentation example: y_true [3 -0.5 2 7], y_pred [2.5 0 2 8].
// By hand: residuals .5 .5 0 1 → MSE 1.5/4 = 0.375, MAE 2/4 = 0.5;
// mean 2.875, SS_tot 29.1875 → R² = 1 − 1.5/29.1875 = 0.9486081370…
func TestRegressionMetricsSklearn(t *testing.T) {
	yt, yp := []float64{3, -0.5, 2, 7}, []float64{2.5, 0, 2, 8}
	mse, _ := MSE(yt, yp)
	rmse, _ := RMSE(yt, yp)
	mae, _ := MAE(yt, yp)
	r2, _ := R2(yt, yp)
	near(t, "MSE", mse, 0.375, 1e-15)
	near(t, "RMSE", rmse, math.Sqrt(0.375), 1e-15)
	near(t, "MAE", mae, 0.5, 1e-15)
	near(t, "R2", r2, 0.9486081370449679, 1e-15)
	// Constant truth (sklearn force_finite): 1 if perfect, else 0.
	if r, _ := R2([]float64{1, 1}, []float64{1, 1}); r != 1 {
		t.Errorf("constant perfect R² %g", r)
	}
	if r, _ := R2([]float64{1, 1}, []float64{1, 2}); r != 0 {
		t.Errorf("constant imperfect R² %g", r)
	}
	if _, err := MSE([]float64{1}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestPerplexity(t *testing.T) {
	// Uniform logits over 4 classes: cross-entropy ln 4, perplexity 4.
	p := &Predictions{Outputs: []float32{0, 0, 0, 0, 1, 1, 1, 1}, K: 4, Labels: []int{2, 0}}
	v, err := PerplexityMetric().Fn(p)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "perplexity", v, 4, 1e-12)
	near(t, "Perplexity(ln 2)", Perplexity(math.Ln2), 2, 1e-15)
	// Metric adapters on the same predictions.
	p = &Predictions{Outputs: []float32{2, 1, 0, 3, 5, -1}, K: 2, Labels: []int{0, 1, 1}}
	acc, _ := AccuracyMetric().Fn(p)
	near(t, "accuracy", acc, 2.0/3, 1e-15)
	auc, _ := ROCAUCMetric().Fn(p) // scores −1, 3, −6 for labels 0, 1, 1
	near(t, "auc", auc, 0.5, 1e-15)
}
