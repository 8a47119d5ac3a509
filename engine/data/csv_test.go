package data

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		opt      CSVOptions
		names    []string
		types    []ColumnType
		rows     int
	}{
		{"header and types", "age,city,income\n25,bj,5000\n32,sh,NA\n,bj,7000\n", CSVOptions{},
			[]string{"age", "city", "income"}, []ColumnType{Number, Category, Number}, 3},
		{"no header detected", "1,2\n3,4\n", CSVOptions{},
			[]string{"col1", "col2"}, []ColumnType{Number, Number}, 2},
		{"header forced off", "a,b\nc,d\n", CSVOptions{Header: HeaderNo},
			[]string{"col1", "col2"}, []ColumnType{Category, Category}, 2},
		{"semicolon and quotes", "name;note\n\"Li; Wei\";\"said \"\"hi\"\"\"\nWang;ok\n", CSVOptions{Comma: ';'},
			[]string{"name", "note"}, []ColumnType{Category, Category}, 2},
		{"tab", "x\ty\n1.5\t-2e3\n", CSVOptions{Comma: '\t'},
			[]string{"x", "y"}, []ColumnType{Number, Number}, 1},
		{"forced category", "zip,v\n100,1\n200,2\n", CSVOptions{Types: map[string]ColumnType{"zip": Category}},
			[]string{"zip", "v"}, []ColumnType{Category, Number}, 2},
		{"chinese header", "城市,人口\n北京,2189\n上海,2487\n", CSVOptions{},
			[]string{"城市", "人口"}, []ColumnType{Category, Number}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := ParseCSV(strings.NewReader(tc.in), "t.csv", tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var types []ColumnType
			for _, c := range tab.Columns {
				names, types = append(names, c.Name), append(types, c.Type)
			}
			if !slices.Equal(names, tc.names) || !slices.Equal(types, tc.types) || tab.Rows() != tc.rows {
				t.Fatalf("got %v %v %d rows; want %v %v %d", names, types, tab.Rows(), tc.names, tc.types, tc.rows)
			}
		})
	}
}

func TestParseCSVValues(t *testing.T) {
	tab, err := ReadCSV("testdata/people.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	age, city, income := tab.Column("age"), tab.Column("city"), tab.Column("income")
	if !age.Missing[2] || !math.IsNaN(age.Num[2]) || age.Num[3] != 41 {
		t.Fatalf("age = %v missing %v", age.Num, age.Missing)
	}
	if !income.Missing[1] || city.Str[3] != "gz, south" {
		t.Fatalf("income missing %v, city %q", income.Missing, city.Str)
	}
	// Every default missing marker.
	tab, err = ParseCSV(strings.NewReader("v\n1\n\nNA\nn/a\nNaN\nnull\nNone\n?\n"), "m.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// encoding/csv skips the empty line, so 7 rows remain.
	v := tab.Column("v")
	if v.Type != Number || tab.Rows() != 7 || slices.Index(v.Missing[1:], false) >= 0 {
		t.Fatalf("missing markers: type %v rows %d mask %v", v.Type, tab.Rows(), v.Missing)
	}
}

func TestParseCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		opt      CSVOptions
		want     string
	}{
		{"ragged", "a,b\n1,2\n3\n", CSVOptions{}, "bad.csv: line 3, column 1: wrong number of fields"},
		{"bare quote", "a,b\n1,x\"y\n", CSVOptions{}, "bad.csv: line 2, column 4: bare \" in non-quoted-field"},
		{"forced number", "a,b\n1,x\n2,y\n", CSVOptions{Types: map[string]ColumnType{"b": Number}}, `line 2, column 2 ("b"): "x" is not a number`},
		{"invalid utf8", "a,b\n1,\xff\n", CSVOptions{}, "line 2, column 3: invalid UTF-8"},
		{"too big", "a,b\n1,2\n3,4\n", CSVOptions{MaxBytes: 6}, "larger than the 6-byte limit"},
		{"too many records", "1\n2\n3\n", CSVOptions{MaxRecords: 2}, "line 3: more than the limit of 2 records"},
		{"too many columns", "1,2,3\n", CSVOptions{MaxColumns: 2}, "3 columns exceed the limit of 2"},
		{"duplicate names", "a,a\nx,y\n", CSVOptions{Header: HeaderYes}, `duplicate column name "a"`},
		{"empty", "", CSVOptions{}, "no records"},
		{"unknown forced", "a\n1\n", CSVOptions{Types: map[string]ColumnType{"z": Number}}, `column "z"`},
		{"bad delimiter", "a\n", CSVOptions{Comma: '"'}, "invalid delimiter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in), "bad.csv", tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestInferTextVersusCategory(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,kind\n")
	for i := range 30 {
		fmt.Fprintf(&b, "user%d,%s\n", i, []string{"a", "b"}[i%2])
	}
	tab, err := ParseCSV(strings.NewReader(b.String()), "ids.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Column("id").Type != Text || tab.Column("kind").Type != Category {
		t.Fatalf("id %v, kind %v; want text, category", tab.Column("id").Type, tab.Column("kind").Type)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "x\n\"q\"\"\"\n", "1;2\n", "a,b\n1\n", "\xff", "h\nNA\n?\n3\n"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, semicolon bool) {
		opt := CSVOptions{MaxBytes: 1 << 16}
		if semicolon {
			opt.Comma = ';'
		}
		tab, err := ParseCSV(strings.NewReader(in), "fuzz.csv", opt)
		if err != nil {
			return
		}
		for _, c := range tab.Columns {
			if c.Len() != tab.Rows() {
				t.Fatalf("column %q has %d rows, table %d", c.Name, c.Len(), tab.Rows())
			}
			if (c.Type == Number) != (c.Num != nil) || (c.Type != Number) != (c.Str != nil) {
				t.Fatalf("column %q of type %v has num %v str %v", c.Name, c.Type, c.Num != nil, c.Str != nil)
			}
		}
	})
}

func ExampleParseCSV() {
	in := "age,city,income\n25,bj,5000\n32,sh,NA\n,bj,7000\n"
	tab, err := ParseCSV(strings.NewReader(in), "people.csv", CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range tab.Columns {
		fmt.Println(c.Name, c.Type, c.Missing)
	}
	// Output:
	// age number [false false true]
	// city category [false false false]
	// income number [false true false]
}
