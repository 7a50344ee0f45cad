package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/report"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// What `tnjwt test` prints on stdout: the report, or with --json one object.

// resultJSON is the --json shape of docs/cli.md; nil pointers print as null.
type resultJSON struct {
	OK               bool           `json:"ok"`
	LoginURL         *string        `json:"login_url"`
	Audience         *string        `json:"audience"`
	AudiencesTried   []string       `json:"audiences_tried"`
	InstanceURL      *string        `json:"instance_url"`
	LightningURL     *string        `json:"lightning_url"`
	OrgID            *string        `json:"org_id"`
	UserID           *string        `json:"user_id"`
	Scope            *string        `json:"scope"`
	FrontdoorURI     *string        `json:"frontdoor_uri"`
	Attempts         int            `json:"attempts"`
	TimingsMS        timingsJSON    `json:"timings_ms"`
	Error            *string        `json:"error"`
	ErrorDescription *string        `json:"error_description"`
	Diagnosis        *diagnosisJSON `json:"diagnosis"`
	Key              string         `json:"key"`      // "current" or "pending" (a rotation's new key); "file" for --key-file
	Promoted         bool           `json:"promoted"` // the pending key passed and is now current
}

type timingsJSON struct {
	Sign         *float64 `json:"sign,omitempty"`
	Token        *float64 `json:"token,omitempty"`
	SingleAccess *float64 `json:"singleaccess,omitempty"`
	Total        float64  `json:"total"`
}

type diagnosisJSON struct {
	Step  string `json:"step"`
	Title string `json:"title"`
	Fix   string `json:"fix"`
}

func writeResultJSON(w io.Writer, res *salesforce.Result, err error, d *salesforce.Diagnosis, key keyOutcome) {
	ms := res.Timings.MS()
	phase := func(name string) *float64 {
		if v, ok := ms[name]; ok {
			return &v
		}
		return nil
	}
	code, desc := salesforce.ErrorFields(err)
	out := resultJSON{
		OK:             err == nil,
		LoginURL:       orNull(res.LoginURL),
		Audience:       orNull(res.Audience),
		AudiencesTried: append([]string{}, res.AudiencesTried...),
		InstanceURL:    orNull(res.InstanceURL),
		LightningURL:   orNull(res.LightningURL),
		OrgID:          orNull(res.OrgID),
		UserID:         orNull(res.UserID),
		Scope:          orNull(res.Scope),
		FrontdoorURI:   orNull(res.FrontdoorURI),
		Attempts:       res.Attempts,
		TimingsMS: timingsJSON{Sign: phase("sign"), Token: phase("token"),
			SingleAccess: phase("singleaccess"), Total: ms["total"]},
		Error:            orNull(code),
		ErrorDescription: orNull(desc),
		Key:              key.Key,
		Promoted:         key.Promoted,
	}
	if d != nil {
		out.Diagnosis = &diagnosisJSON{Step: d.Step, Title: d.Title, Fix: d.Fix}
	}
	writeJSON(w, out)
}

// writeReport prints the human report: each phase with its time, then
// the frontdoor URL, orgUrl and SDK snippet, or what went wrong and the fix.
func writeReport(w io.Writer, req salesforce.Request, res *salesforce.Result, err error, d *salesforce.Diagnosis) {
	kind := ""
	if l, perr := salesforce.ParseLoginURL(res.LoginURL); perr == nil {
		kind = " (" + l.Kind.String() + ")"
	}
	fmt.Fprintf(w, "Testing the JWT bearer flow\n  login URL  %s%s\n  audience   %s\n  username   %s\n",
		res.LoginURL, kind, res.Audience, req.Username)
	if tried := report.AudiencesTried(res); tried != "" {
		fmt.Fprint(w, wrap(tried, 96, "  "))
	}
	fmt.Fprintln(w)
	writePhases(w, res, err)
	if err == nil {
		writeSuccess(w, res)
		return
	}
	writeFailure(w, err, d)
}

func writePhases(w io.Writer, res *salesforce.Result, err error) {
	failed := report.FailedPhase(err)
	took := map[string]time.Duration{salesforce.PhaseSign: res.Timings.Sign, salesforce.PhaseToken: res.Timings.Token,
		salesforce.PhaseSingleAccess: res.Timings.SingleAccess}
	for _, p := range report.Phases {
		mark := "✓"
		if p.ID == failed {
			mark = "✗"
		}
		fmt.Fprintf(w, "%s %-34s %11s\n", mark, p.Label, report.Took(took[p.ID]))
		if p.ID == failed {
			break
		}
	}
	fmt.Fprintf(w, "  %-34s %11s", "total", report.Took(res.Timings.Total))
	if res.Attempts > 1 {
		fmt.Fprintf(w, " (%d attempts)", res.Attempts)
	}
	fmt.Fprintln(w)
	if sent := report.WhatWasSent(res.Sent); sent != nil {
		fmt.Fprintln(w, "\nWhat was sent:")
		for _, f := range sent {
			fmt.Fprintf(w, "  %-20s %s\n", f.Label, f.Value)
		}
	}
}

func writeSuccess(w io.Writer, res *salesforce.Result) {
	fmt.Fprintf(w, "\nInstance URL:  %s\n", res.InstanceURL)
	if res.OrgID != "" {
		fmt.Fprintf(w, "Org / user:    %s / %s\n", res.OrgID, res.UserID)
	}
	fmt.Fprintf(w, "Scope:         %s\n", res.Scope)
	fmt.Fprintf(w, "\nFrontdoor URL (%s):\n  %s\n", report.FrontdoorNote, res.FrontdoorURI)
	orgURL, known := report.OrgURL(res)
	if known {
		fmt.Fprintf(w, "\nLightning orgUrl:\n  %s\n", orgURL)
	} else {
		fmt.Fprintf(w, "\nLightning orgUrl: %s\n", report.NoLightningURL(res.InstanceURL))
	}
	fmt.Fprintf(w, "\nTableau Next Embedding SDK (%s):\n  %s\n", report.SDKPackage, report.SDKCall(res.FrontdoorURI, orgURL))
}

func writeFailure(w io.Writer, err error, d *salesforce.Diagnosis) {
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
	)
	switch {
	case errors.As(err, &re):
		fmt.Fprintf(w, "\n%s:\n", re.Summary())
		fmt.Fprintf(w, "  error:             %s\n", orDash(re.Code))
		fmt.Fprintf(w, "  error_description: %s\n", orDash(re.Description))
	case errors.As(err, &te):
		fmt.Fprint(w, "\nThe test could not finish.\n"+wrap(report.Transport(te), 96, "  "))
		fmt.Fprint(w, wrap(report.TransportAdvice(te), 96, "  "))
	default:
		fmt.Fprintf(w, "\nThe test could not finish: %v\n", err)
	}
	if d == nil {
		if re != nil {
			fmt.Fprintln(w, "\n"+report.UnknownRefusal)
		}
		return
	}
	fmt.Fprintf(w, "\nDiagnosis (checklist step %q): %s\n", d.Step, d.Title)
	fmt.Fprint(w, wrap("Fix: "+d.Fix, 96, "  "))
}

// wrap breaks text into lines of at most width runes, each indented.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		if i > 0 && line+1+n > width {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString(indent)
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteString("\n")
	return b.String()
}
