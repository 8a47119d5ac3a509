package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCalibrateParseCPUInfo(t *testing.T) {
	text := "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.136\n\n" +
		"processor\t: 1\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 1200.000\n"
	ci := parseCPUInfo(text)
	if ci.MHz != 2596.136 || ci.Vendor != "AuthenticAMD" || ci.Family != 25 {
		t.Errorf("parsed %+v", ci)
	}
	if ci := parseCPUInfo("Hardware: BCM2835\n"); ci != (cpuInfo{}) {
		t.Errorf("arm cpuinfo parsed as %+v", ci)
	}
}

func TestComputeCalibrateJSON(t *testing.T) {
	out, _, err := run(t, "--json", "--threads", "1", "compute", "calibrate", "--sizes", "16,32", "--mlp-batch", "4",
		"--rounds", "1", "--clock-ghz", "2.5", "--lanes", "16")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Threads int `json:"threads"`
		Peak    struct {
			FLOPS    float64 `json:"flops"`
			FMALanes int     `json:"fma_lanes"`
		} `json:"peak"`
		GEMM []struct {
			Size  int     `json:"size"`
			FLOPS float64 `json:"flops_per_second"`
			MFU   float64 `json:"mfu"`
		} `json:"gemm"`
		MLP *struct {
			Batch int     `json:"batch"`
			MFU   float64 `json:"mfu"`
		} `json:"mlp"`
		ClockSource string `json:"clock_source"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// 1 core × 16 lanes × 2 × 2.5 GHz = 80 GFLOP/s.
	if v.Threads != 1 || v.Peak.FLOPS != 80e9 || v.Peak.FMALanes != 16 || v.ClockSource != "--clock-ghz" {
		t.Errorf("threads %d peak %g lanes %d source %q", v.Threads, v.Peak.FLOPS, v.Peak.FMALanes, v.ClockSource)
	}
	if len(v.GEMM) != 2 || v.GEMM[1].Size != 32 || !(v.GEMM[1].MFU > 0) || v.MLP == nil || v.MLP.Batch != 4 {
		t.Errorf("measurements %+v mlp %+v", v.GEMM, v.MLP)
	}
	if got := v.GEMM[0].FLOPS / v.Peak.FLOPS; got-v.GEMM[0].MFU > 1e-12 || v.GEMM[0].MFU-got > 1e-12 {
		t.Errorf("MFU %g, want achieved / peak = %g", v.GEMM[0].MFU, got)
	}
}

func TestComputeCalibrateChinese(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "--threads", "1", "compute", "calibrate", "--sizes", "16", "--mlp-batch", "0",
		"--rounds", "1", "--clock-ghz", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"理论峰值", "SGEMM 最佳 MFU", "gemm", "--clock-ghz"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "mlp ") {
		t.Errorf("--mlp-batch 0 still ran the MLP:\n%s", out)
	}
}

func TestComputeCalibrateErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sizes", "0"}, "--sizes"},
		{[]string{"--sizes", "99999"}, "--sizes"},
		{[]string{"--clock-ghz", "0"}, "--clock-ghz"},
		{[]string{"--clock-ghz", "50"}, "--clock-ghz"},
		{[]string{"--rounds", "0"}, "--rounds"},
		{[]string{"--mlp-batch", "-1"}, "--mlp-batch"},
		{[]string{"--lanes", "-2"}, "--lanes"},
	} {
		_, _, err := run(t, append([]string{"compute", "calibrate"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
}
