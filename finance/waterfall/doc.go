// Package waterfall computes liquidation waterfalls: who takes home what
// when a startup is sold for a given exit value, in exact decimals, to the
// cent, and how each holder's take changes across a range of exit values.
//
// The input (Input) is a small, self-contained description of the
// capitalization — share classes with their preference terms, options and
// warrants, YC post-money SAFEs and debt — so that the cap-table package
// can adapt its document to it without either importing the other.
//
// # Algorithm
//
// For a given set of conversion decisions (a "profile") the payout is
// mechanical:
//
//  1. Debt is repaid by rank (equal ranks pro rata to the amounts due).
//  2. Preferences — multiple × original issue price × shares, plus accrued
//     dividends — and SAFE Cash-Out Amounts are paid by rank, lower rank
//     first; a rank that cannot be paid in full is shared pro rata to the
//     full amounts due (pari passu). Converted classes and converting
//     SAFEs claim nothing here.
//  3. The remainder R goes to the common pool: common, converted preferred
//     and participating preferred (as converted), converting SAFEs (their
//     Conversion shares) and options. With common worth θ per share the
//     pool takes f(θ) = lin·θ + Σ min(s·θ, room) + Σ n·max(θ − strike, 0):
//     a capped participating class stops at its cap ("room" = cap −
//     preference) and the excess flows to everyone else; an option
//     exercises only in the money and receives θ − strike per share (its
//     strike is paid in, so the option holders' net takes and everyone
//     else's still sum to R). f is continuous, piecewise linear and
//     non-decreasing, so f(θ) = R is solved exactly by walking its kinks.
//
// The decisions: a non-participating class converts when as-converted
// beats its preference; a capped participating class converts when
// as-converted beats its cap (an uncapped participating class never gains
// by converting). Conversions interact — each one lowers the common value
// per share for the others — and the result must be a fixed point where no
// class wants to switch. Following the conversion-order method of Metrick &
// Yasuda (Venture Capital and the Finance of Innovation, ch. 9), every
// convertible class has a threshold t = max(preference, cap) / as-converted
// shares, and converts exactly when θ > t. Sorting the classes by t (ties
// by name) the solver converts them in that order while θ exceeds the next
// threshold, re-solving θ after each. Why this is the equilibrium: adding a
// converter with t < θ moves θ to a value strictly between t and the old θ
// (at θ' = θ the pool would take more than R + preference, at θ' = t no
// more), so every earlier converter still gains; the first class whose
// threshold is not exceeded — and every later one, whose threshold is no
// lower — gains nothing by converting, since converting would leave θ at or
// below its threshold. Equal thresholds convert together. So the loop stops
// after at most one evaluation per class, and its result (the unique set
// {t < θ*}) depends on neither the order of the input nor anything but the
// terms.
//
// SAFEs break the simple structure: under the YC post-money safe the
// Liquidity Capitalization counts converting preferred and the other
// converting SAFEs, so decisions interact both ways. With convertible
// SAFEs present the solver starts from "every SAFE converts", decides the
// preferred classes as above, then runs exact best response — the claimant
// (class or SAFE) with the largest strict gain from switching switches,
// ties by name; a converting SAFE indifferent to its cash-out goes back to
// it — until nobody gains. Profiles are finite and a visited set stops any
// cycle with ErrNoEquilibrium (not seen in the property tests). Where
// several equilibria exist (two SAFEs whose conversions make each other's
// worthwhile) this selects the one that favours the SAFE holders, the
// "greater of" reading of the safe.
//
// # Rounding
//
// Exact amounts are rounded down to cents per class, SAFE, debt and option
// grant, and the leftover cents (the exit value is in cents) go to the
// largest remainders, ties by kind and name; each class's cents are then
// split among its holders the same way by shares. Every column of a Result
// sums to the exit value exactly. Exact payouts are monotone in the exit
// value; a constant amount that is not a whole number of cents can move by
// one cent as the other remainders change.
//
// # Breakpoints
//
// Within a regime (same decisions, same ranks paid, same caps reached,
// same options in the money) every payout is linear in the exit value.
// Curve evaluates a grid, compares regimes between neighbours and finds
// each change exactly: a rank is paid in full at the cumulative claims; any
// other event happens at a known common value per share θ* (a threshold, a
// cap/shares, a strike, a SAFE's purchase amount over its shares), and the
// exit value at which common is worth θ* under the regime is stack + f(θ*)
// — exact, rounded to the cent. Where events overlap it bisects to a cent.
//
// # Discontinuities
//
// With convertible SAFEs, payouts can jump at a conversion: when a second
// SAFE or a preferred class starts converting, the Liquidity
// Capitalization of the already-converting SAFEs grows, their Conversion
// Amount jumps up and common's falls. This follows from the safe's text
// (§2 "Liquidity Capitalization" includes converting securities) and is
// not smoothed over; Curve adds the point one cent after each breakpoint so
// the jump is drawn.
package waterfall
