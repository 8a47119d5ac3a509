package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestChannelsCommand(t *testing.T) {
	out, _, err := run(t, "--lang", "en", "finance", "channels", "--stage", "seed", "--amount", "¥20000000", "--china", "--priority", "control=3,speed=2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rank", "channel", "score", "Ranked 1st:", "covers ¥20M", "Excluded", "requires a US entity"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "--lang", "zh", "finance", "channels", "--stage", "a", "--amount", "3000000 USD")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"排名", "渠道", "第1名", "排名理由：", "已排除：",
		"天使投资人：不适用于A 轮（a）阶段；适用阶段：创意期（idea）、种子前（pre-seed）、种子轮（seed）"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"适用：", "a 阶段", "not used", "requires", "Why", "Excluded"} {
		if strings.Contains(out, bad) {
			t.Errorf("Chinese output shows %q:\n%s", bad, out)
		}
	}
}

func TestChannelsCommandJSON(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		first string
	}{
		{[]string{"--stage", "a", "--amount", "$5000000", "--priority", "speed=5"}, "venture_debt"},
		{[]string{"--stage", "a", "--amount", "$5000000", "--priority", "strategic=5"}, "strategic_cvc"},
		{[]string{"--stage", "seed", "--amount", "¥20000000", "--china", "-f", "testdata/channels-override.yaml", "--priority", "speed=1"}, "vc_seed"},
	} {
		out, _, err := run(t, append([]string{"--json", "finance", "channels"}, tc.args...)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var v struct {
			Amount struct{ Amount, Currency string } `json:"amount"`
			Ranked []struct {
				ID          string
				Explanation struct{ EN, ZH string }
			} `json:"ranked"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if len(v.Ranked) == 0 || v.Ranked[0].ID != tc.first || v.Ranked[0].Explanation.ZH == "" || v.Amount.Currency == "" {
			t.Errorf("%v: first %+v", tc.args, v.Ranked)
		}
	}
	out, _, err := run(t, "--json", "finance", "channels", "--stage", "seed", "--amount", "¥20000000", "--china", "-f", "testdata/channels-override.yaml")
	if err != nil || !strings.Contains(out, "family_office") {
		t.Errorf("override channel missing: %v", err)
	}
}

func TestChannelsCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--amount", "$1"}, "--stage: missing"},
		{[]string{"--stage", "seed"}, "--amount: missing"},
		{[]string{"--stage", "seed", "--amount", "1000"}, "--amount:"},
		{[]string{"--stage", "zzz", "--amount", "$1000"}, `stage "zzz"`},
		{[]string{"--stage", "seed", "--amount", "$1000", "--priority", "speed"}, `--priority "speed"`},
		{[]string{"--stage", "seed", "--amount", "$1000", "--priority", "speed=x"}, "--priority speed"},
		{[]string{"--stage", "seed", "--amount", "$1000", "--priority", "luck=1"}, `priority "luck"`},
		{[]string{"--stage", "seed", "--amount", "1000 EUR"}, "USD and CNY only"},
		{[]string{"--stage", "seed", "--amount", "$1000", "-f", "testdata/channels-bad.yaml"}, "channels-bad.yaml: channels[0] (angel): tickets.USD"},
	} {
		_, _, err := run(t, append([]string{"finance", "channels"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	out, _, err := run(t, "finance", "channels", "--defaults")
	if err != nil || !strings.Contains(out, "government_guidance_fund") {
		t.Errorf("--defaults: %v", err)
	}
}
