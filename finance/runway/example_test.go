package runway_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

// A seed-stage plan: ¥12M in the bank, a team of eight, a cluster, and one
// training run in June.
func ExampleProject() {
	plan := &runway.Plan{
		Name: "demo", Currency: "CNY", Start: "2026-01", Months: 24, OpeningCash: "12,000,000",
		Costs: runway.Costs{
			Headcount: []runway.Role{{Role: "engineer", MonthlyCost: "60000", Count: 8}},
			Compute: []runway.CostLine{
				{Name: "cluster", Monthly: "200000"},
				{Name: "training run", Month: "2026-06", GPUHours: "300000", PricePerGPUHour: "15"},
			},
		},
		Revenue: runway.Revenue{MRR: "100000", Growth: "5%"},
	}
	r, err := runway.Project(plan, runway.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("net burn, first month:", r.Burn.Net)
	fmt.Println("runway (months):", r.Runway.Months.StringFixed(1), "out of cash:", r.Runway.OutOfCash)
	fmt.Println("default alive:", r.Alive.Alive)
	fmt.Println("start raising by:", r.Fundraising.StartBy)
	// Output:
	// net burn, first month: ¥580,000.00
	// runway (months): 13.9 out of cash: 2027-02
	// default alive: false
	// start raising by: 2026-02
}

// Paul Graham's question with the numbers of a small SaaS company.
func ExampleDefaultAlive() {
	a := runway.DefaultAlive(runway.AliveInput{
		Cash:     decimal.RequireFromString("100000"),
		Expenses: decimal.RequireFromString("10000"),
		Revenue:  decimal.RequireFromString("5000"),
		Growth:   decimal.RequireFromString("0.10"),
	})
	fmt.Println(a.Alive, a.MonthsToProfit, a.CapitalNeeded)
	// Output: true 8 22820.55
}
