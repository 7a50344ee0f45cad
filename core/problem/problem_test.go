package problem

import "testing"

func TestInputError(t *testing.T) {
	for _, tc := range []struct {
		in   Input
		want string
	}{
		{Input{Problem: "the username is empty"}, "the username is empty"},
		{Input{Problem: "the login URL is empty", Hint: "Use https://login.salesforce.com"},
			"the login URL is empty. Use https://login.salesforce.com"},
	} {
		if got := tc.in.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if got := tc.in.WhatToDo(); got != tc.in.Hint {
			t.Errorf("WhatToDo() = %q, want the hint %q", got, tc.in.Hint)
		}
	}
}

var _ Remedied = (*Input)(nil)
