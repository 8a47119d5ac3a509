package data

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func mustCSV(t testing.TB, s string) *Table {
	t.Helper()
	tab, err := ParseCSV(strings.NewReader(s), "test.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }

func wantNums(t *testing.T, tab *Table, col string, want []float64) {
	t.Helper()
	c := tab.Column(col)
	if c == nil || c.Type != Number {
		t.Fatalf("no number column %q", col)
	}
	for i := range want {
		if !near(c.Num[i], want[i]) {
			t.Fatalf("%s = %v, want %v", col, c.Num, want)
		}
	}
}

// The expected values below are what scikit-learn 1.x computes, worked
// by hand for x = [1, 2, NA, 4, 10]:
//
//	SimpleImputer(strategy="median"): median(1, 2, 4, 10) = (2+4)/2 = 3
//	SimpleImputer(strategy="mean"): 17/4 = 4.25
//	StandardScaler on [1, 2, 3, 4, 10]: mean 4, population variance
//	  (9+4+1+0+36)/5 = 10, so z = (x-4)/√10
//	MinMaxScaler on [1, 2, 3, 4, 10]: (x-1)/9
//	Tukey fences with NumPy's linear percentiles of [1, 2, 3, 4, 10]:
//	  Q1 = 2, Q3 = 4, IQR = 2, fences [-1, 7]
const xCSV = "x,c\n1,b\n2,a\nNA,c\n4,a\n10,a\n"

func TestImputeScaleClipMatchScikitLearn(t *testing.T) {
	s10 := math.Sqrt(10)
	for _, tc := range []struct {
		name  string
		steps []Step
		want  []float64
	}{
		{"median impute", []Step{&Impute{Columns: []string{"x"}, Strategy: Median}}, []float64{1, 2, 3, 4, 10}},
		{"mean impute", []Step{&Impute{Strategy: Mean}}, []float64{1, 2, 4.25, 4, 10}},
		{"median + standard", []Step{&Impute{Strategy: Median}, &Scale{Method: ZScore}},
			[]float64{-3 / s10, -2 / s10, -1 / s10, 0, 6 / s10}},
		{"median + minmax", []Step{&Impute{Strategy: Median}, &Scale{Method: MinMax}},
			[]float64{0, 1.0 / 9, 2.0 / 9, 3.0 / 9, 1}},
		{"median + iqr clip", []Step{&Impute{Strategy: Median}, &Clip{Method: IQR}}, []float64{1, 2, 3, 4, 7}},
		// z-score clip at K=1: [4 - √10, 4 + √10] ≈ [0.84, 7.16]; only 10 moves.
		{"median + zscore clip", []Step{&Impute{Strategy: Median}, &Clip{Method: ZScore, K: 1}}, []float64{1, 2, 3, 4, 4 + s10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPipeline(tc.steps...)
			out, err := p.Fit(mustCSV(t, xCSV))
			if err != nil {
				t.Fatal(err)
			}
			wantNums(t, out, "x", tc.want)
		})
	}
}

func TestMostFrequentTiesTakeSmallest(t *testing.T) {
	// scikit-learn's most_frequent returns the smallest of tied modes.
	tab := mustCSV(t, "v,s\n3,q\n1,p\n3,p\n1,q\nNA,NA\n2,r\n")
	p := NewPipeline(&Impute{Columns: []string{"v", "s"}, Strategy: MostFrequent})
	out, err := p.Fit(tab)
	if err != nil {
		t.Fatal(err)
	}
	if out.Column("v").Num[4] != 1 || out.Column("s").Str[4] != "p" {
		t.Fatalf("imputed %v and %q, want 1 and p", out.Column("v").Num[4], out.Column("s").Str[4])
	}
}

func TestOneHotAndLabelEncoding(t *testing.T) {
	train := mustCSV(t, "c,y\nb,1\na,2\nc,3\na,4\n")
	test := mustCSV(t, "c,y\nc,1\nd,2\n")
	// OneHotEncoder(sparse_output=False) on [b, a, c, a]: categories
	// [a, b, c]; b → (0,1,0), a → (1,0,0), c → (0,0,1).
	p := NewPipeline(&OneHot{})
	out, err := p.Fit(train)
	if err != nil {
		t.Fatal(err)
	}
	wantNums(t, out, "c=a", []float64{0, 1, 0, 1})
	wantNums(t, out, "c=b", []float64{1, 0, 0, 0})
	wantNums(t, out, "c=c", []float64{0, 0, 1, 0})
	if out.Columns[0].Name != "c=a" || out.Columns[3].Name != "y" {
		t.Fatalf("column order %v", out.NumberNames())
	}
	if _, err := p.Transform(test); err == nil || !strings.Contains(err.Error(), `column "c", row 2: category "d" was not seen`) {
		t.Fatalf("unknown category: %v", err)
	}
	// handle_unknown="ignore": all zeros.
	p = NewPipeline(&OneHot{Unknown: UnknownIgnore})
	p.Fit(train)
	out, err = p.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	wantNums(t, out, "c=c", []float64{1, 0})
	wantNums(t, out, "c=a", []float64{0, 0})
	// Bucket: an extra column.
	p = NewPipeline(&OneHot{Unknown: UnknownBucket})
	p.Fit(train)
	out, _ = p.Transform(test)
	wantNums(t, out, "c=<unknown>", []float64{0, 1})
	// LabelEncoder: a → 0, b → 1, c → 2; unknown → 3 with a bucket.
	p = NewPipeline(&LabelEncode{Unknown: UnknownBucket})
	out, _ = p.Fit(train)
	wantNums(t, out, "c", []float64{1, 0, 2, 0})
	out, _ = p.Transform(test)
	labels, err := out.Ints("c")
	if err != nil || labels[0] != 2 || labels[1] != 3 {
		t.Fatalf("labels %v, %v", labels, err)
	}
}

func TestPipelineJSONRoundTrip(t *testing.T) {
	train := mustCSV(t, "age,city,income\n25,bj,5000\n32,sh,NA\nNA,bj,7000\n41,gz,90000\n")
	p := NewPipeline(
		&Impute{Strategy: Median},
		&Impute{Columns: []string{"city"}, Strategy: MostFrequent},
		&Clip{Method: IQR},
		&Scale{Method: ZScore},
		&OneHot{Unknown: UnknownIgnore},
	)
	if _, err := p.Fit(train); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Pipeline
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	// Serving: one row, whose city column parses as... still a category,
	// and whose age arrives as text that the schema coerces to a number.
	row, err := ParseCSV(strings.NewReader("age,city,income\n30,sh,NA\n"), "request", CSVOptions{Types: map[string]ColumnType{"age": Text}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Transform(row)
	if err != nil {
		t.Fatal(err)
	}
	c, err := q.Transform(row)
	if err != nil {
		t.Fatal(err)
	}
	names := a.NumberNames()
	ma, _ := a.Matrix(names...)
	mc, err := c.Matrix(names...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ma {
		if ma[i] != mc[i] {
			t.Fatalf("unmarshalled pipeline gives %v, original %v", mc, ma)
		}
	}
	if err := json.Unmarshal([]byte(`{"version":1,"steps":[{"kind":"teleport","params":{}}]}`), &q); err == nil {
		t.Fatal("unknown step kind accepted")
	}
	if _, err := json.Marshal(NewPipeline(&Scale{Method: MinMax})); err == nil {
		t.Fatal("unfitted pipeline marshalled")
	}
}

func TestPipelineErrors(t *testing.T) {
	tab := mustCSV(t, xCSV)
	for _, tc := range []struct {
		name string
		step Step
		want string
	}{
		{"bad strategy", &Impute{Strategy: "magic"}, "unknown strategy"},
		{"mean of text", &Impute{Columns: []string{"c"}, Strategy: Mean}, "needs a number column"},
		{"bad clip", &Clip{Method: "vibes"}, "unknown clip method"},
		{"bad scale", &Scale{Method: "log"}, "unknown scale method"},
		{"one-hot a number", &OneHot{Columns: []string{"x"}}, "is a number"},
		{"label ignore", &LabelEncode{Unknown: UnknownIgnore}, "cannot ignore"},
		{"no column", &Scale{Method: MinMax, Columns: []string{"nope"}}, `no column "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPipeline(tc.step).Fit(tab)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// Matrix refuses missing values, naming the row.
	if _, err := tab.Matrix("x"); err == nil || !strings.Contains(err.Error(), `column "x", row 3: missing`) {
		t.Fatalf("Matrix with a missing value: %v", err)
	}
	// DropMissing removes that row.
	out, err := NewPipeline(&DropMissing{}).Fit(tab)
	if err != nil || out.Rows() != 4 {
		t.Fatalf("drop missing: %d rows, %v", out.Rows(), err)
	}
}

func ExamplePipeline() {
	train, _ := ParseCSV(strings.NewReader("size,color,price\n1,red,10\nNA,blue,20\n3,red,30\n"), "train.csv", CSVOptions{})
	p := NewPipeline(
		&Impute{Strategy: Median}, // size: NA → 2
		&Scale{Method: MinMax, Columns: []string{"size"}},
		&OneHot{Columns: []string{"color"}}, // color=blue, color=red
	)
	out, _ := p.Fit(train)
	x, _ := out.Matrix("size", "color=blue", "color=red")
	fmt.Println(x)
	b, _ := json.Marshal(p) // saved next to the model
	var served Pipeline
	_ = json.Unmarshal(b, &served)
	req, _ := ParseCSV(strings.NewReader("size,color,price\n2.5,blue,0\n"), "request", CSVOptions{})
	out, _ = served.Transform(req)
	x, _ = out.Matrix("size", "color=blue", "color=red")
	fmt.Println(x)
	// Output:
	// [0 0 1 0.5 1 0 1 0 1]
	// [0.75 1 0]
}
