package wizard

// StepID names a screen of the wizard.
type StepID string

// The screens of the setup walk, in order.
const (
	StepWelcome     StepID = "welcome"
	StepOrg         StepID = "org"
	StepKey         StepID = "key"
	StepECA         StepID = "eca"
	StepPermset     StepID = "permset"
	StepEmbed       StepID = "embedding"
	StepConsumerKey StepID = "consumer-key"
	StepKeychain    StepID = "keychain"
	StepLiveTest    StepID = "live-test"
	StepDone        StepID = "done"
)

// Step is one screen: what it is for, which checklist items it covers and
// what must hold before the person may move on.
type Step struct {
	ID      StepID
	Title   string
	Why     string // one line under the title: why this step matters
	Where   string // where in Salesforce Setup the work happens, if anywhere
	Finally string // what to do after the items, e.g. click Save
	Items   []Item
	// Check says what is missing before Next ("" when nothing is), as the
	// sentence to show the person.
	Check func(*State) string
}

// Steps returns the setup walk. It is data so that later screens (the live
// test, practice mode) are appended rather than coded into the navigation.
func Steps() []Step {
	return []Step{{
		ID:    StepWelcome,
		Title: "Welcome",
		Why:   "Set up a new org, or carry on with one you started.",
	}, {
		ID:    StepOrg,
		Title: "Your org",
		Why:   "Tokens are requested from your org's login address for one Salesforce user, the JWT subject.",
		Items: orgItems,
		Check: checkOrgStep,
	}, {
		ID:    StepKey,
		Title: "Key and certificate",
		Why:   "tnjwt signs each request with a private key; Salesforce checks it with the matching certificate.",
		Items: keyItems,
		Check: checkKeyStep,
	}, {
		ID:      StepECA,
		Title:   "External Client App settings",
		Why:     "The External Client App must allow the JWT bearer flow and hold your certificate.",
		Where:   whereECASettings,
		Finally: "Then click Save at the bottom of the page. Salesforce can take a few minutes to apply the change everywhere.",
		Items:   ecaItems,
	}, {
		ID:    StepPermset,
		Title: "Permission set and policies",
		Why:   "Salesforce only issues JWT tokens for users the admin approved in advance, through a permission set.",
		Where: wherePermsets + `, and for the app: ` + whereECAPolicies,
		Items: permsetItems,
	}, {
		ID:    StepEmbed,
		Title: "Embedding settings",
		Why:   "Your app shows Tableau Next inside its own web page: the org must trust that page's address and let the Salesforce session work inside it.",
		Items: embedItems,
		Check: checkEmbedStep,
	}, {
		ID:    StepConsumerKey,
		Title: "Consumer key",
		Why:   "The consumer key tells Salesforce which app the JWT comes from.",
		Where: whereConsumerKey,
		Items: consumerKeyItems,
		Check: checkConsumerKeyStep,
	}, {
		ID:    StepKeychain,
		Title: "Keychain",
		Why:   "The consumer key and private key are kept in this computer's keychain, never in a plain file.",
		Items: keychainItems,
		Check: checkKeychainStep,
	}, {
		ID:    StepLiveTest,
		Title: "Live test",
		Why:   "tnjwt does what your app's server will do: sign a JWT, get an access token, then a frontdoor URL.",
		Items: liveTestItems,
		Check: checkLiveTestStep,
	}, {
		ID:    StepDone,
		Title: "Done",
		Why:   "The setup works. Preview your dashboard embedded, then hand these settings to your app's servers.",
		Check: checkLiveTestStep,
	}}
}

var liveTestItems = []Item{{
	ID:          IDLiveTest,
	Label:       "The live test passes",
	Instruction: "tnjwt signs a JWT with the stored private key, asks Salesforce for an access token for the run-as user, then for a single-use frontdoor URL.",
	Why:         "Only a real exchange proves every setting above is right; your app's server does exactly this.",
	Auto:        true,
}}

func checkLiveTestStep(s *State) string {
	if t := s.Profile.LastTest; t == nil || !t.OK {
		return "Run the live test: Next is waiting for it to pass."
	}
	return ""
}

func checkOrgStep(s *State) string { return s.Org.FirstProblem() }

func checkKeyStep(s *State) string {
	if s.Bundle == nil && s.KeyLost && !s.Ticked(IDKeyStore) {
		return "Make a new key and certificate: the private key for the saved certificate is no longer available."
	}
	if s.Bundle == nil && (s.Profile.CertificatePEM == "" || !s.Ticked(IDKeyGenerate)) {
		return "Generate a key and certificate, or import the pair you already use."
	}
	return ""
}

func checkConsumerKeyStep(s *State) string {
	if s.ConsumerKey != "" || s.ConsumerKeyStored || s.Ticked(IDKeyStore) {
		return ""
	}
	if s.Ticked(IDECAConsumerKey) {
		return "Paste the consumer key again: tnjwt keeps it only in this window's memory until the Keychain step stores it."
	}
	return "Paste the consumer key from your External Client App."
}

func checkKeychainStep(s *State) string {
	if !s.Ticked(IDKeyStore) {
		return "Store the consumer key and private key in the keychain first."
	}
	return ""
}
