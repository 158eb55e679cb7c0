package catalog

// Fits reports whether v may be the value of f as CheckTypes sees it; for
// an array of scalars (fieldidlist), whether v may be one of its elements.
func (f Field) Fits(v any) bool {
	if v == nil {
		return true
	}
	if f.Type == "array" && f.Ref == "" {
		_, ok := checkScalar(v, f.Items, "", "")
		return ok
	}
	_, ok := checkScalar(v, f.Type, f.Format, "")
	return ok
}
