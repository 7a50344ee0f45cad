package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/export"
)

// The Done screen's picker offers every server export, and "Save server…"
// writes the one picked.
func TestDoneScreenOffersEveryServer(t *testing.T) {
	names := stackNames()
	if len(names) != len(export.Stacks) || names[0] != export.Stacks[0].Name {
		t.Fatalf("the picker offers %q", names)
	}
	org := export.Org{Profile: "acme", LoginURL: "https://acme.my.salesforce.com", Audience: "https://login.salesforce.com",
		ClientID: "3MVG9pe2TCoA1Pf5xUPT0D1fN_Yxl8V0DBxAp4CAbqYBJwHOZTbE0rTdCzZ.9sTQLE7rH4zJ3hk2V0wRZeEPa", Username: "embed@acme.com",
		KeyPEM: emulatortest.Keys().KeyPEM, OrgURL: "https://acme.lightning.force.com", Now: time.Now()}
	server := map[string]string{export.FormatExpress: "server.js", export.FormatFlask: "app.py", export.FormatGo: "main.go",
		export.FormatJava: "Server.java", export.FormatSinatra: "app.rb"}
	for _, st := range export.Stacks {
		files, err := exportFiles(st.Format, org)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range files {
			found = found || f.Name == server[st.Format]
		}
		if !found || !strings.Contains(exportTitle(st.Format), st.Name) {
			t.Errorf("%s: %d files, %s found %v; title %q", st.Format, len(files), server[st.Format], found, exportTitle(st.Format))
		}
	}
}
