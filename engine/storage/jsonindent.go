package storage

// indentJSON lays out compact JSON (as json.Marshal writes it) like
// json.Indent(dst, src, prefix, indent), except that an array holding no
// object or array stays on one line. A table's row_runs in the catalog are
// three numbers per run, and with rows written at many raft indexes there
// is a run per row: json.MarshalIndent gave each number a line of its own,
// which made catalog.json several times larger and its encoding a large
// part of a checkpoint's cost.
func indentJSON(src []byte, prefix, indent string) []byte {
	// Pass 1: which arrays are flat, numbered in order of their '['.
	var flat []bool
	var stack []int // for each open bracket: its array number, or -1 for an object
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			i = skipString(src, i)
		case '{', '[':
			if n := len(stack); n > 0 && stack[n-1] >= 0 {
				flat[stack[n-1]] = false
			}
			if c == '[' {
				stack = append(stack, len(flat))
				flat = append(flat, true)
			} else {
				stack = append(stack, -1)
			}
		case '}', ']':
			stack = stack[:len(stack)-1]
		}
	}
	// Pass 2: write.
	dst := make([]byte, 0, len(src)+len(src)/8)
	depth, arrays := 0, 0
	newline := func() {
		dst = append(dst, '\n')
		dst = append(dst, prefix...)
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			end := skipString(src, i)
			dst = append(dst, src[i:end+1]...)
			i = end
		case '{', '[':
			if c == '[' {
				arrays++
				if flat[arrays-1] {
					end := i
					for end < len(src) && src[end] != ']' {
						if src[end] == '"' {
							end = skipString(src, end)
						}
						end++
					}
					dst = append(dst, src[i:end+1]...)
					i = end
					continue
				}
			}
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',')
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// skipString returns the index of the quote closing the JSON string that
// opens at src[i].
func skipString(src []byte, i int) int {
	for i++; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(src) - 1
}
