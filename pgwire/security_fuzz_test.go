package pgwire

import (
	"testing"

	"github.com/chronos-db/chronos/engine/auth"
	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzAuth feeds arbitrary bytes after a valid StartupMessage to servers
// that ask for a password by each method: the SASL and password messages,
// their lengths and the SCRAM attribute syntax.
func FuzzAuth(f *testing.F) {
	scram, err := auth.HashSCRAM("pw")
	if err != nil {
		f.Fatal(err)
	}
	roles := staticRoles{"u": scram, "m": auth.HashMD5("m", "pw")}
	seeds := [][]byte{
		encode(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdef")}),
		encode(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdef")},
			&pgproto3.SASLResponse{Data: []byte("c=biws,r=abcdef,p=AAAA")}),
		encode(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("y,,n=u,r=x")},
			&pgproto3.SASLResponse{Data: []byte("c=eSws,r=x,p=" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")}),
		encode(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte("p=tls-unique,,n=,r=a")}),
		encode(&pgproto3.PasswordMessage{Password: "pw"}),
		encode(&pgproto3.PasswordMessage{Password: "md5" + "00000000000000000000000000000000"}),
		encode(&pgproto3.Query{String: "select 1"}),
		raw('p', nil),
		raw('p', []byte{0}),
		{'p', 0xff, 0xff, 0xff, 0xff},
		{'X', 0, 0, 0, 4},
	}
	for _, s := range seeds {
		f.Add(uint8(0), s)
	}
	methods := []AuthMethod{AuthSCRAM, AuthMD5, AuthPassword}
	f.Fuzz(func(t *testing.T, method uint8, input []byte) {
		m := methods[int(method)%len(methods)]
		for _, user := range []string{"u", "m"} {
			start := encode(&pgproto3.StartupMessage{
				ProtocolVersion: pgproto3.ProtocolVersion30,
				Parameters:      map[string]string{"user": user},
			})
			serveInput(t, append(start, input...), func(s *Server) {
				s.Security = Security{Auth: m, Roles: roles, AuthFailureDelay: -1}
			})
		}
	})
}
