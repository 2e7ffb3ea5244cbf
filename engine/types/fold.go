package types

// FoldASCII lowers ASCII letters only, leaving every other byte as it is:
// PostgreSQL's lower() in the C locale (Chronos's collation), and its folding
// of unquoted identifiers, which keeps byte offsets in place. It returns s
// itself when there is nothing to fold.
func FoldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
