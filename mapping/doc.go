// Package mapping carries records from one tenant to another: it matches
// source records to target records, rewrites every reference from source
// ids to target ids, and orders the records to create so that each is
// written after the records it points at, deferring only the references that
// close a cycle. It is pure: no HTTP, no files beyond the --map file.
package mapping
