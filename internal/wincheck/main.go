//go:build windows

// Command wincheck is a second, independent look at what the Windows build
// of tnjwt leaves behind, for scripts/windows-test.sh (under Wine): the
// Credential Manager's items, read with github.com/danieljoos/wincred
// rather than through tnjwt's own code, and the access lists of files,
// read with GetNamedSecurityInfo. It never prints a secret: sizes, names
// and SHA-256 comparisons only.
//
//	wincheck items [-max BYTES] PROFILE
//	    every item of the profile ("tnjwt:PROFILE/…"), one per line: name
//	    and size in bytes, sorted; fails when one is larger than -max.
//	wincheck secret PROFILE PURPOSE FILE
//	    joins the secret's parts the way the index item says and checks
//	    that they are the bytes of FILE (and match the index's checksum).
//	wincheck acl -want private|shared FILE...
//	    private: only the current user (and, under Wine, SYSTEM) is granted
//	    anything; shared: someone else is too.
//
// Exit status 0 when every check holds, 1 when one does not, 2 on bad usage.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"unsafe"

	"github.com/danieljoos/wincred"
	"golang.org/x/sys/windows"
)

// service is the prefix of every tnjwt item: go-keyring names a Windows
// credential "SERVICE:USER", and tnjwt's service is "tnjwt".
const service = "tnjwt:"

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "items":
		err = items(os.Args[2:])
	case "secret":
		err = secret(os.Args[2:])
	case "acl":
		err = acl(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wincheck:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wincheck items [-max BYTES] PROFILE | secret PROFILE PURPOSE FILE | acl -want private|shared FILE...")
	os.Exit(2)
}

func items(args []string) error {
	fs := flag.NewFlagSet("items", flag.ExitOnError)
	limit := fs.Int("max", 0, "fail when an item's secret is larger than this many bytes")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		usage()
	}
	creds, err := wincred.List()
	if err != nil {
		return fmt.Errorf("listing the Credential Manager: %v", err)
	}
	prefix := service + fs.Arg(0) + "/"
	var lines []string
	var tooBig []string
	for _, c := range creds {
		if !strings.HasPrefix(c.TargetName, prefix) {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %d", c.TargetName, len(c.CredentialBlob)))
		if *limit > 0 && len(c.CredentialBlob) > *limit {
			tooBig = append(tooBig, fmt.Sprintf("%s (%d bytes)", c.TargetName, len(c.CredentialBlob)))
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	if len(tooBig) > 0 {
		return fmt.Errorf("larger than %d bytes: %s", *limit, strings.Join(tooBig, ", "))
	}
	return nil
}

// index is the part of tnjwt's index item that says where the parts are.
type index struct {
	Generation uint64 `json:"generation"`
	Chunks     int    `json:"chunks"`
	Size       int    `json:"size"`
	Encoding   string `json:"encoding"`
	SHA256     string `json:"sha256"`
}

func secret(args []string) error {
	if len(args) != 3 {
		usage()
	}
	profile, purpose, file := args[0], args[1], args[2]
	want, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	name := service + profile + "/" + purpose
	raw, err := read(name)
	if err != nil {
		return err
	}
	var ix index
	if err := json.Unmarshal(raw, &ix); err != nil || ix.Chunks < 1 || ix.Generation < 1 {
		return fmt.Errorf("%s is not a tnjwt index item", name)
	}
	var joined []byte
	for i := range ix.Chunks {
		part, err := read(fmt.Sprintf("%s/g%d/%d", name, ix.Generation, i))
		if err != nil {
			return err
		}
		joined = append(joined, part...)
	}
	got := joined
	if ix.Encoding == "base64" {
		if got, err = base64.StdEncoding.DecodeString(string(joined)); err != nil {
			return fmt.Errorf("%s: the parts are not base64", name)
		}
	}
	sum := sha256.Sum256(got)
	switch {
	case hex.EncodeToString(sum[:]) != ix.SHA256 || len(got) != ix.Size:
		return fmt.Errorf("%s: the %d parts do not match the index's checksum", name, ix.Chunks)
	case !bytes.Equal(got, want):
		return fmt.Errorf("%s: the Credential Manager holds %d bytes that are not those of %s (%d bytes)", name, len(got), file, len(want))
	}
	fmt.Printf("%s: %d bytes in %d part(s), the same as %s\n", name, len(got), ix.Chunks, file)
	return nil
}

func read(name string) ([]byte, error) {
	c, err := wincred.GetGenericCredential(name)
	if errors.Is(err, syscall.ERROR_NOT_FOUND) {
		return nil, fmt.Errorf("%s is not in the Credential Manager", name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	return c.CredentialBlob, nil
}

// Denying entry types beside ACCESS_DENIED_ACE_TYPE (winnt.h).
const (
	accessDeniedObject         = 6
	accessDeniedCallback       = 10
	accessDeniedCallbackObject = 12
)

// systemSID is LocalSystem, which Wine adds to the access list it makes up
// from a file's Unix mode.
const systemSID = "S-1-5-18"

func acl(args []string) error {
	fs := flag.NewFlagSet("acl", flag.ExitOnError)
	want := fs.String("want", "", "private or shared")
	_ = fs.Parse(args)
	if (*want != "private" && *want != "shared") || fs.NArg() == 0 {
		usage()
	}
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return err
	}
	user := u.User.Sid.String()
	var failed []string
	for _, path := range fs.Args() {
		others, err := othersGranted(path, user)
		if err != nil {
			return err
		}
		private := len(others) == 0
		fmt.Printf("%s: %s\n", path, describe(private, others))
		if private != (*want == "private") {
			failed = append(failed, path)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("not %s: %s", *want, strings.Join(failed, ", "))
	}
	return nil
}

func describe(private bool, others []string) string {
	if private {
		return "only you (and SYSTEM) are granted access"
	}
	return "also granted to " + strings.Join(others, ", ")
}

// othersGranted reads path's access list and names every SID other than
// user and SYSTEM that an entry allows something (a null access list, which
// allows everyone everything, counts as "everyone"; so does an allowing
// entry whose layout is not the plain one).
func othersGranted(path, user string) ([]string, error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return nil, fmt.Errorf("%s: GetNamedSecurityInfo: %v", path, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return []string{"everyone (no access list)"}, nil
	}
	var others []string
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %v", path, i, err)
		}
		switch ace.Header.AceType {
		case windows.ACCESS_ALLOWED_ACE_TYPE:
		case windows.ACCESS_DENIED_ACE_TYPE, accessDeniedObject, accessDeniedCallback, accessDeniedCallbackObject:
			continue
		default: // an allowing entry of another layout: its trustee is not read here
			others = append(others, fmt.Sprintf("an entry of type %d", ace.Header.AceType))
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String()
		if sid != user && sid != systemSID && ace.Mask != 0 {
			others = append(others, sid)
		}
	}
	return others, nil
}
