package engine

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestTxConcurrentTransfers runs transfers from several sessions at once,
// retrying on 40001, with the total and a transfer log checked at the end.
func TestTxConcurrentTransfers(t *testing.T) {
	db := newTestDB(t)
	setup, err := db.NewSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, setup, `CREATE TABLE acct (id INT PRIMARY KEY, bal INT NOT NULL);
INSERT INTO acct VALUES (1, 100), (2, 100), (3, 100), (4, 100);
CREATE TABLE moves (src INT, dst INT, amount INT);`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		s, err := db.NewSession(SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				src, dst, amount := rand.IntN(4)+1, rand.IntN(4)+1, rand.IntN(10)+1
				if src == dst {
					continue
				}
				for try := 0; ; try++ {
					err := transfer(s, src, dst, amount)
					if err == nil {
						break
					}
					query(s, "ROLLBACK")
					if errCode(err) != "40001" || try > 500 {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if r := mustExec(t, setup, "SELECT sum(bal) FROM acct"); rowsText(r) != "400" {
		t.Fatalf("total %s, want 400", rowsText(r))
	}
	r := mustExec(t, setup, `SELECT count(*) FROM acct a WHERE a.bal <> 100
		- coalesce((SELECT sum(amount) FROM moves WHERE src = a.id), 0) + coalesce((SELECT sum(amount) FROM moves WHERE dst = a.id), 0)`)
	if rowsText(r) != "0" {
		t.Fatalf("%s balances disagree with the transfer log", rowsText(r))
	}
}

// transfer moves amount from src to dst in one transaction, computing the
// new balances on the client side.
func transfer(s *Session, src, dst, amount int) error {
	if _, err := query(s, "BEGIN"); err != nil {
		return err
	}
	a, err := query(s, fmt.Sprintf("SELECT bal FROM acct WHERE id = %d", src))
	if err != nil {
		return err
	}
	b, err := query(s, fmt.Sprintf("SELECT bal FROM acct WHERE id = %d", dst))
	if err != nil {
		return err
	}
	av, bv := a.Rows[0][0].(int64), b.Rows[0][0].(int64)
	for _, sql := range []string{
		fmt.Sprintf("UPDATE acct SET bal = %d WHERE id = %d", av-int64(amount), src),
		fmt.Sprintf("UPDATE acct SET bal = %d WHERE id = %d", bv+int64(amount), dst),
		fmt.Sprintf("INSERT INTO moves VALUES (%d, %d, %d)", src, dst, amount),
		"COMMIT",
	} {
		if _, err := query(s, sql); err != nil {
			return err
		}
	}
	return nil
}
