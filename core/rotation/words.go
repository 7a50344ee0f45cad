package rotation

// The words of renewal and rotation, shared by the window and the terminal.
const (
	// RenewExplained says why renewing costs no downtime.
	RenewExplained = "A renewal issues a new certificate over the same key pair, with a new validity. The key does not " +
		"change, so JWTs verify before and after you upload the new certificate: the app's servers keep working throughout."
	// RotateExplained says what a rotation changes and what is at stake.
	RotateExplained = "A rotation makes a new key pair. The new key waits as pending beside the current one, which stays " +
		"in use. Once the new certificate is uploaded and has propagated (2 to 10 minutes), servers still signing with the " +
		"old key fail with invalid assertion: give them the new key first or right after, and plan the switch."
	// UploadStep is where the certificate goes in Setup.
	UploadStep = "In Setup, open the External Client App → Settings → OAuth Settings → Flow Enablement → JWT Bearer Flow, " +
		"and upload the certificate file (it replaces the one there). Setup then shows its SHA-256 fingerprint: compare it."
	// PendingFailed is said when the pending key's test did not pass.
	PendingFailed = "The new (pending) key did not pass; the current key is untouched and stays in use."
	// StillPropagating suggests waiting when a just-uploaded certificate is refused.
	StillPropagating = "If the new certificate was uploaded in the last 10 minutes, it may still be propagating."
	// Promoted is said when the pending key passed and became current.
	Promoted = "The new key passed and is now the current key. The old key is kept as previous: servers still signing " +
		"with it fail once the new certificate has propagated. Give them the new key; when all of them use it, discard the previous key."
	// RolledBack is said after a rollback.
	RolledBack = "The previous key is current again, and the key it replaced is kept as previous. The External Client App " +
		"holds only one certificate: upload the previous certificate again, then test."
	// Abandoned is said after a rotation is dropped.
	Abandoned = "The rotation is abandoned: the new key is gone and the current key stays in use. If you already uploaded " +
		"the new certificate, upload the current one again, or servers fail once the upload propagates."
)
