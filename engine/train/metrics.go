package train

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Average selects how precision, recall and F1 combine over classes, as
// scikit-learn's average argument.
type Average int

const (
	// Binary reports the positive class (label 1) only.
	Binary Average = iota
	// Macro is the unweighted mean over the labels.
	Macro
	// Micro counts true and false positives and negatives globally.
	Micro
	// Weighted is the mean over the labels weighted by their support
	// (true instances).
	Weighted
)

func (a Average) String() string {
	switch a {
	case Binary:
		return "binary"
	case Macro:
		return "macro"
	case Micro:
		return "micro"
	case Weighted:
		return "weighted"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

func checkPairs(a, b int) error {
	if a != b {
		return fmt.Errorf("train: metrics: %d true values but %d predictions", a, b)
	}
	if a == 0 {
		return errors.New("train: metrics: no samples")
	}
	return nil
}

// AccuracyScore is the fraction of predictions equal to the truth
// (sklearn.metrics.accuracy_score).
func AccuracyScore(yTrue, yPred []int) (float64, error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	n := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			n++
		}
	}
	return float64(n) / float64(len(yTrue)), nil
}

// ConfusionMatrix counts, in row i and column j, the samples of true class
// i predicted as class j, for classes 0..classes-1
// (sklearn.metrics.confusion_matrix with labels=range(classes)).
func ConfusionMatrix(yTrue, yPred []int, classes int) ([][]int, error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return nil, err
	}
	if classes < 1 {
		return nil, fmt.Errorf("train: confusion matrix: %d classes", classes)
	}
	m := make([][]int, classes)
	for i := range m {
		m[i] = make([]int, classes)
	}
	for i := range yTrue {
		t, p := yTrue[i], yPred[i]
		if t < 0 || t >= classes || p < 0 || p >= classes {
			return nil, fmt.Errorf("train: confusion matrix: sample %d has label %d / prediction %d outside [0, %d)", i, t, p, classes)
		}
		m[t][p]++
	}
	return m, nil
}

// PrecisionRecallF1 computes precision, recall and F1 as
// sklearn.metrics.precision_recall_fscore_support with the given average:
// the labels are those present in yTrue or yPred; Binary reports label 1
// (and needs at most two labels); a ratio with a zero denominator is 0
// (sklearn's zero_division default, without the warning).
func PrecisionRecallF1(yTrue, yPred []int, avg Average) (precision, recall, f1 float64, err error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return 0, 0, 0, err
	}
	set := map[int]bool{}
	for i := range yTrue {
		set[yTrue[i]], set[yPred[i]] = true, true
	}
	labels := make([]int, 0, len(set))
	for l := range set {
		labels = append(labels, l)
	}
	sort.Ints(labels)
	tp, fp, fn := map[int]int{}, map[int]int{}, map[int]int{}
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			tp[yTrue[i]]++
		} else {
			fp[yPred[i]]++
			fn[yTrue[i]]++
		}
	}
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	prf := func(tp, fp, fn int) (p, r, f float64) {
		p = div(float64(tp), float64(tp+fp))
		r = div(float64(tp), float64(tp+fn))
		f = div(2*float64(tp), float64(2*tp+fp+fn))
		return
	}
	switch avg {
	case Binary:
		for _, l := range labels {
			if l != 0 && l != 1 {
				return 0, 0, 0, fmt.Errorf("train: binary precision/recall: label %d is not 0 or 1; use a multiclass average", l)
			}
		}
		p, r, f := prf(tp[1], fp[1], fn[1])
		return p, r, f, nil
	case Micro:
		var a, b, c int
		for _, l := range labels {
			a, b, c = a+tp[l], b+fp[l], c+fn[l]
		}
		p, r, f := prf(a, b, c)
		return p, r, f, nil
	case Macro, Weighted:
		var sw float64
		for _, l := range labels {
			p, r, f := prf(tp[l], fp[l], fn[l])
			w := 1.0
			if avg == Weighted {
				w = float64(tp[l] + fn[l])
			}
			precision, recall, f1, sw = precision+w*p, recall+w*r, f1+w*f, sw+w
		}
		return div(precision, sw), div(recall, sw), div(f1, sw), nil
	}
	return 0, 0, 0, fmt.Errorf("train: unknown average %v", avg)
}

// ROCAUC is the area under the ROC curve of binary labels (0 or 1) ranked
// by score, as sklearn.metrics.roc_auc_score: tied scores form one point
// of the curve, so the trapezoid between its neighbours counts a tie as
// half right. It is an error unless both classes are present.
func ROCAUC(yTrue []int, score []float64) (float64, error) {
	if err := checkPairs(len(yTrue), len(score)); err != nil {
		return 0, err
	}
	idx := make([]int, len(score))
	var pos, neg float64
	for i := range idx {
		idx[i] = i
		switch yTrue[i] {
		case 1:
			pos++
		case 0:
			neg++
		default:
			return 0, fmt.Errorf("train: ROC AUC: label %d at sample %d is not 0 or 1", yTrue[i], i)
		}
		if math.IsNaN(score[i]) {
			return 0, fmt.Errorf("train: ROC AUC: score at sample %d is NaN", i)
		}
	}
	if pos == 0 || neg == 0 {
		return 0, errors.New("train: ROC AUC is undefined when only one class is present")
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	var area, tp, fp, prevTP, prevFP float64
	for k := 0; k < len(idx); {
		s := score[idx[k]]
		for ; k < len(idx) && score[idx[k]] == s; k++ {
			if yTrue[idx[k]] == 1 {
				tp++
			} else {
				fp++
			}
		}
		area += (fp - prevFP) * (tp + prevTP) / 2
		prevTP, prevFP = tp, fp
	}
	return area / (pos * neg), nil
}

// MSE is the mean squared error (sklearn.metrics.mean_squared_error).
func MSE(yTrue, yPred []float64) (float64, error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	s := 0.0
	for i := range yTrue {
		d := yTrue[i] - yPred[i]
		s += d * d
	}
	return s / float64(len(yTrue)), nil
}

// RMSE is the square root of MSE.
func RMSE(yTrue, yPred []float64) (float64, error) {
	m, err := MSE(yTrue, yPred)
	return math.Sqrt(m), err
}

// MAE is the mean absolute error (sklearn.metrics.mean_absolute_error).
func MAE(yTrue, yPred []float64) (float64, error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	s := 0.0
	for i := range yTrue {
		s += math.Abs(yTrue[i] - yPred[i])
	}
	return s / float64(len(yTrue)), nil
}

// R2 is the coefficient of determination 1 − SS_res/SS_tot
// (sklearn.metrics.r2_score). With constant yTrue it is 1 for a perfect
// prediction and 0 otherwise (sklearn's force_finite=True).
func R2(yTrue, yPred []float64) (float64, error) {
	if err := checkPairs(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	mean := 0.0
	for _, v := range yTrue {
		mean += v
	}
	mean /= float64(len(yTrue))
	var res, tot float64
	for i := range yTrue {
		res += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i])
		tot += (yTrue[i] - mean) * (yTrue[i] - mean)
	}
	if tot == 0 {
		if res == 0 {
			return 1, nil
		}
		return 0, nil
	}
	return 1 - res/tot, nil
}

// Perplexity is exp of a mean per-token cross-entropy in nats.
func Perplexity(meanCrossEntropy float64) float64 { return math.Exp(meanCrossEntropy) }

// Argmax returns, for each row of an n×k row-major matrix, the index of
// its largest value (the first on ties).
func Argmax(scores []float32, k int) []int {
	if k < 1 {
		return nil
	}
	out := make([]int, len(scores)/k)
	for i := range out {
		row := scores[i*k : (i+1)*k]
		best := 0
		for j := 1; j < k; j++ {
			if row[j] > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}

// Predictions are a model's outputs on an evaluation set, flattened to
// rows: Outputs holds Rows×K values (K is the size of the output's last
// dimension), Labels the integer targets (one per row) and Targets the
// float targets (K per row), whichever the dataset has.
type Predictions struct {
	Outputs []float32
	K       int
	Labels  []int
	Targets []float32
}

// Rows reports the number of predicted rows.
func (p *Predictions) Rows() int {
	if p.K == 0 {
		return 0
	}
	return len(p.Outputs) / p.K
}

func (p *Predictions) add(out *tensor.Tensor, b *data.Batch) error {
	k := 1
	if out.Dim() > 1 {
		k = out.Size(out.Dim() - 1)
	}
	if p.K != 0 && p.K != k {
		return fmt.Errorf("train: model output's last dimension changed from %d to %d", p.K, k)
	}
	p.K = k
	p.Outputs = append(p.Outputs, out.Data()...)
	p.Labels = append(p.Labels, b.Labels...)
	p.Targets = append(p.Targets, b.Y...)
	return nil
}

func (p *Predictions) classes() ([]int, []int, error) {
	if len(p.Labels) != p.Rows() {
		return nil, nil, fmt.Errorf("train: metric needs one label per output row: %d labels, %d rows", len(p.Labels), p.Rows())
	}
	if p.K == 1 { // one logit: positive when > 0
		pred := make([]int, p.Rows())
		for i, v := range p.Outputs {
			if v > 0 {
				pred[i] = 1
			}
		}
		return p.Labels, pred, nil
	}
	return p.Labels, Argmax(p.Outputs, p.K), nil
}

func (p *Predictions) floats() ([]float64, []float64, error) {
	if len(p.Targets) != len(p.Outputs) || len(p.Targets) == 0 {
		return nil, nil, fmt.Errorf("train: regression metric needs one target per output: %d targets, %d outputs", len(p.Targets), len(p.Outputs))
	}
	t, o := make([]float64, len(p.Targets)), make([]float64, len(p.Outputs))
	for i := range t {
		t[i], o[i] = float64(p.Targets[i]), float64(p.Outputs[i])
	}
	return t, o, nil
}

// Metric is a named function of a validation set's predictions; the
// Trainer logs it as "val_<Name>". HigherIsBetter tells callbacks
// monitoring it which way is an improvement.
type Metric struct {
	Name           string
	Fn             func(p *Predictions) (float64, error)
	HigherIsBetter bool
}

// AccuracyMetric is the classification accuracy of the argmax (or, for a
// single logit, of logit > 0).
func AccuracyMetric() Metric {
	return Metric{Name: "accuracy", HigherIsBetter: true, Fn: func(p *Predictions) (float64, error) {
		t, y, err := p.classes()
		if err != nil {
			return 0, err
		}
		return AccuracyScore(t, y)
	}}
}

// F1Metric, PrecisionMetric and RecallMetric average over classes as avg
// says; they are named "f1", "precision", "recall" with a "_macro",
// "_micro" or "_weighted" suffix unless avg is Binary.
func F1Metric(avg Average) Metric { return prfMetric("f1", 2, avg) }

// PrecisionMetric: see F1Metric.
func PrecisionMetric(avg Average) Metric { return prfMetric("precision", 0, avg) }

// RecallMetric: see F1Metric.
func RecallMetric(avg Average) Metric { return prfMetric("recall", 1, avg) }

func prfMetric(name string, which int, avg Average) Metric {
	if avg != Binary {
		name += "_" + avg.String()
	}
	return Metric{Name: name, HigherIsBetter: true, Fn: func(p *Predictions) (float64, error) {
		t, y, err := p.classes()
		if err != nil {
			return 0, err
		}
		pr, rc, f, err := PrecisionRecallF1(t, y, avg)
		return []float64{pr, rc, f}[which], err
	}}
}

// ROCAUCMetric is the binary ROC AUC of the positive class's score: the
// single logit, or the difference of the two logits (which ranks as the
// softmax probability of class 1 does).
func ROCAUCMetric() Metric {
	return Metric{Name: "roc_auc", HigherIsBetter: true, Fn: func(p *Predictions) (float64, error) {
		if p.K != 1 && p.K != 2 {
			return 0, fmt.Errorf("train: ROC AUC needs 1 or 2 outputs per row, got %d", p.K)
		}
		if len(p.Labels) != p.Rows() {
			return 0, fmt.Errorf("train: ROC AUC needs one label per row: %d labels, %d rows", len(p.Labels), p.Rows())
		}
		s := make([]float64, p.Rows())
		for i := range s {
			if p.K == 1 {
				s[i] = float64(p.Outputs[i])
			} else {
				s[i] = float64(p.Outputs[2*i+1]) - float64(p.Outputs[2*i])
			}
		}
		return ROCAUC(p.Labels, s)
	}}
}

func regression(name string, f func(a, b []float64) (float64, error), higher bool) Metric {
	return Metric{Name: name, HigherIsBetter: higher, Fn: func(p *Predictions) (float64, error) {
		t, o, err := p.floats()
		if err != nil {
			return 0, err
		}
		return f(t, o)
	}}
}

// MSEMetric, RMSEMetric, MAEMetric and R2Metric compare the outputs with
// the float targets.
func MSEMetric() Metric { return regression("mse", MSE, false) }

// RMSEMetric: see MSEMetric.
func RMSEMetric() Metric { return regression("rmse", RMSE, false) }

// MAEMetric: see MSEMetric.
func MAEMetric() Metric { return regression("mae", MAE, false) }

// R2Metric: see MSEMetric.
func R2Metric() Metric { return regression("r2", R2, true) }

// PerplexityMetric is exp of the mean cross-entropy of the output rows
// (logits) against the labels: a language model's perplexity per token.
func PerplexityMetric() Metric {
	return Metric{Name: "perplexity", Fn: func(p *Predictions) (float64, error) {
		if len(p.Labels) != p.Rows() || p.Rows() == 0 {
			return 0, fmt.Errorf("train: perplexity needs one label per row: %d labels, %d rows", len(p.Labels), p.Rows())
		}
		sum := 0.0
		for i := 0; i < p.Rows(); i++ {
			row := p.Outputs[i*p.K : (i+1)*p.K]
			y := p.Labels[i]
			if y < 0 || y >= p.K {
				return 0, fmt.Errorf("train: perplexity: label %d outside [0, %d) at row %d", y, p.K, i)
			}
			m := float64(slices.Max(row))
			z := 0.0
			for _, v := range row {
				z += math.Exp(float64(v) - m)
			}
			sum += m + math.Log(z) - float64(row[y])
		}
		return Perplexity(sum / float64(p.Rows())), nil
	}}
}
