package snapshot

import "crypto/sha256"

// Digest is the SHA-256 of a value's canonical JSON (Canonical): equal for
// two values exactly when Equal is (but for a collision). verify and diff
// keep a digest of each record rather than the record. It writes into a
// reused buffer, so that a digest per record allocates nothing.
func Digest(v any) [sha256.Size]byte {
	c := canonicals.Get().(*canonical)
	defer c.done()
	c.mustEncode(v)
	return sha256.Sum256(c.b)
}
