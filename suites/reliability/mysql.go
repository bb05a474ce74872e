package reliability

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

// The inspection listener is checked as users' tools see it: through a real
// MySQL client (go-sql-driver/mysql) on the wire protocol.

const mysqlTestPassword = "inspect-s3cret"

// mysqlTarget starts an in-process simulator with the inspection listener
// on a loopback port (password mysqlTestPassword unless mut changes it) and
// returns the Rebilly target on it and the listener's address.
func mysqlTarget(mut func(*server.Config)) (*target.Target, string) {
	GinkgoHelper()
	t := target.WithConfig("rebilly", func(c *server.Config) {
		c.MySQLAddr = "127.0.0.1:0"
		c.MySQLPassword = mysqlTestPassword
		if mut != nil {
			mut(c)
		}
	})
	addr := t.Server.Addr(server.MySQL)
	Expect(addr).NotTo(BeEmpty(), "the server reports the inspection listener's bound address")
	return t, addr
}

func openMySQL(addr, user, password string) *sql.DB {
	GinkgoHelper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = user, password, "tcp", addr, "paysandbox"
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 10*time.Second, 2*time.Minute, 10*time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(db.Close)
	return db
}

// mysqlCode is the MySQL error number of err (0 when err is not one).
func mysqlCode(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func conn(db *sql.DB) *sql.Conn {
	GinkgoHelper()
	c, err := db.Conn(context.Background())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(c.Close)
	return c
}

func connectionID(c *sql.Conn) int64 {
	GinkgoHelper()
	var id int64
	Expect(c.QueryRowContext(context.Background(), "SELECT CONNECTION_ID()").Scan(&id)).To(Succeed())
	return id
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

var _ = Describe("mysql inspection listener", Label("reliability", "mysql"), func() {
	It("refuses a wrong password and a wrong user with access denied (1045), and lets the configured account in", func() {
		_, addr := mysqlTarget(nil)
		for _, cred := range [][2]string{{"root", "wrong"}, {"root", ""}, {"admin", mysqlTestPassword}} {
			err := openMySQL(addr, cred[0], cred[1]).Ping()
			Expect(mysqlCode(err)).To(Equal(uint16(1045)), "user %q password %q: %v", cred[0], cred[1], err)
		}
		var one int
		Expect(openMySQL(addr, "root", mysqlTestPassword).QueryRow("SELECT 1").Scan(&one)).To(Succeed())
		Expect(one).To(Equal(1))

		_, addr = mysqlTarget(func(c *server.Config) { c.MySQLUser = "inspector" })
		Expect(mysqlCode(openMySQL(addr, "root", mysqlTestPassword).Ping())).To(Equal(uint16(1045)))
		Expect(openMySQL(addr, "inspector", mysqlTestPassword).Ping()).To(Succeed())
	})

	It("does not start without a password on an address that is not loopback", func() {
		for _, a := range []string{"0.0.0.0:0", ":0"} {
			cfg := server.DefaultConfig()
			cfg.MySQLAddr = a
			srv, err := target.StartInProcess(cfg)
			if err == nil {
				_ = srv.Shutdown(context.Background())
			}
			Expect(err).To(MatchError(ContainSubstring("not a loopback address")), a)
		}
	})

	It("on loopback without a password generates one, logs it once (naming the user), and the engine logs through slog", func() {
		logs := &lockedBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		cfg := server.DefaultConfig()
		for _, n := range server.Names {
			cfg.SetAddr(n, "127.0.0.1:0")
		}
		cfg.MySQLAddr = "127.0.0.1:0"
		srv, err := server.New(cfg, logger)
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Start()).To(Succeed())
		DeferCleanup(func() { Expect(srv.Shutdown(context.Background())).To(Succeed()) })
		addr := srv.Addr(server.MySQL)

		var password string
		for _, line := range logs.lines() {
			var rec map[string]any
			Expect(json.Unmarshal([]byte(line), &rec)).To(Succeed(), line)
			if pw, ok := rec["password"].(string); ok {
				Expect(password).To(BeEmpty(), "the password is logged once")
				Expect(rec["level"]).To(Equal("INFO"))
				Expect(rec["user"]).To(Equal("root"))
				password = pw
			}
		}
		Expect(password).To(HaveLen(24))

		db := openMySQL(addr, "root", password)
		var one int
		Expect(db.QueryRow("SELECT 1").Scan(&one)).To(Succeed())
		Expect(mysqlCode(openMySQL(addr, "root", "").Ping())).To(Equal(uint16(1045)))
		Expect(db.Close()).To(Succeed())

		engine := 0
		for _, line := range logs.lines() {
			var rec map[string]any
			Expect(json.Unmarshal([]byte(line), &rec)).To(Succeed(), "every line is the project's JSON: %s", line)
			Expect(line).NotTo(ContainSubstring("secure_file_priv"))
			if rec["component"] == "mysql" {
				engine++
				if rec["password"] != nil {
					Fail("the engine logs no password: " + line)
				}
			}
		}
		Expect(engine).To(BeNumerically(">", 0), "the engine's connection lines arrive as slog records with component=mysql")
	})

	It("gives no file access: LOAD_FILE is NULL, INTO OUTFILE / DUMPFILE are refused (1290) and create nothing", func() {
		_, addr := mysqlTarget(nil)
		db := openMySQL(addr, "root", mysqlTestPassword)
		dir := GinkgoT().TempDir()
		secret := filepath.Join(dir, "secret.txt")
		Expect(os.WriteFile(secret, []byte("provider-secret"), 0o600)).To(Succeed())

		var got sql.NullString
		Expect(db.QueryRow("SELECT LOAD_FILE('" + secret + "')").Scan(&got)).To(Succeed())
		Expect(got.Valid).To(BeFalse(), "LOAD_FILE returned %q", got.String)
		Expect(db.QueryRow("SELECT LOAD_FILE(?)", secret).Scan(&got)).To(Succeed(), "prepared statement too")
		Expect(got.Valid).To(BeFalse())

		for i, q := range []string{
			"SELECT 'x' INTO OUTFILE '%s'",
			"SELECT 'x' INTO DUMPFILE '%s'",
			"WITH a AS (SELECT 1 AS n) SELECT n FROM a INTO OUTFILE '%s'",
			"/* comment */ select id from rebilly_customers into dumpfile '%s'",
		} {
			out := filepath.Join(dir, "out"+string(rune('a'+i)))
			_, err := db.Exec(strings.Replace(q, "%s", out, 1))
			Expect(mysqlCode(err)).To(Equal(uint16(1290)), "%s: %v", q, err)
			Expect(err).To(MatchError(ContainSubstring("--secure-file-priv")))
			Expect(out).NotTo(BeAnExistingFile())
		}

		// The engine's own parser refuses the same through PREPARE … FROM.
		c := conn(db)
		ctx := context.Background()
		out := filepath.Join(dir, "prepared")
		quoted := "'SELECT 1 INTO OUTFILE ''" + out + "'''"
		_, err := c.ExecContext(ctx, "SET @q = "+quoted)
		Expect(err).NotTo(HaveOccurred())
		for _, q := range []string{"PREPARE s FROM " + quoted, "PREPARE s FROM @q"} {
			_, err := c.ExecContext(ctx, q)
			Expect(err).To(MatchError(ContainSubstring("--secure-file-priv")), q)
			_, err = c.ExecContext(ctx, "EXECUTE s")
			Expect(err).To(HaveOccurred())
			Expect(out).NotTo(BeAnExistingFile())
		}
	})

	It("refuses LOAD DATA (1290), also when writable; writes and the other refusals still hold there", func() {
		_, addr := mysqlTarget(func(c *server.Config) { c.MySQLWritable = true })
		db := openMySQL(addr, "root", mysqlTestPassword)
		src := filepath.Join(GinkgoT().TempDir(), "rows.csv")
		Expect(os.WriteFile(src, []byte("t1,loaded\n"), 0o600)).To(Succeed())
		_, err := db.Exec("LOAD DATA INFILE '" + src + "' INTO TABLE rebilly_customers FIELDS TERMINATED BY ',' (tenant, id)")
		Expect(mysqlCode(err)).To(Equal(uint16(1290)), "%v", err)
		var n int
		Expect(db.QueryRow("SELECT COUNT(*) FROM rebilly_customers WHERE id = 'loaded'").Scan(&n)).To(Succeed())
		Expect(n).To(Equal(0))

		_, err = db.Exec("INSERT INTO rebilly_customers (tenant,id,seq,email,first_name,last_name,ext_key,created_time,updated_time,revision,doc) " +
			"VALUES ('t1','wire',0,'','','','','2026-01-01 00:00:00','2026-01-01 00:00:00',1,'{}')")
		Expect(err).NotTo(HaveOccurred())
		_, err = db.Exec("UPDATE rebilly_customers SET revision = revision + 1 WHERE tenant = 't1' AND id = 'wire'")
		Expect(err).NotTo(HaveOccurred())
		Expect(db.QueryRow("SELECT revision FROM rebilly_customers WHERE tenant = 't1' AND id = 'wire'").Scan(&n)).To(Succeed())
		Expect(n).To(Equal(2))

		out := filepath.Join(GinkgoT().TempDir(), "out")
		_, err = db.Exec("SELECT id FROM rebilly_customers INTO OUTFILE '" + out + "'")
		Expect(mysqlCode(err)).To(Equal(uint16(1290)))
		Expect(out).NotTo(BeAnExistingFile())
		_, err = db.Exec("SET GLOBAL max_connections = 1000")
		Expect(mysqlCode(err)).To(Equal(uint16(1227)))
	})

	It("refuses global variables, user and privilege management (1227)", func() {
		_, addr := mysqlTarget(nil)
		db := openMySQL(addr, "root", mysqlTestPassword)
		for _, q := range []string{
			"SET GLOBAL max_connections = 1000",
			"SET @@global.sql_mode = ''",
			"SET @a = 1, @@GLOBAL.max_connections = 1000",
			"SET PERSIST max_connections = 1000",
			"SET PERSIST_ONLY max_connections = 1000",
			"CREATE USER 'u'@'%' IDENTIFIED BY 'x'",
			"DROP USER root",
			"ALTER USER root IDENTIFIED BY 'x'",
			"RENAME USER root TO admin",
			"GRANT ALL ON *.* TO root",
			"REVOKE ALL ON *.* FROM root",
			"CREATE ROLE r",
			"DROP ROLE r",
			"GRANT r TO root",
			"SET PASSWORD = 'x'",
			"FLUSH PRIVILEGES",
		} {
			_, err := db.Exec(q)
			Expect(mysqlCode(err)).To(Equal(uint16(1227)), "%s: %v", q, err)
		}
		c := conn(db)
		_, err := c.ExecContext(context.Background(), "PREPARE g FROM 'SET GLOBAL max_connections = 1000'")
		Expect(err).To(MatchError(ContainSubstring("SYSTEM_VARIABLES_ADMIN")), "refused through PREPARE too")
		var mode string
		Expect(db.QueryRow("SELECT @@session.sql_mode").Scan(&mode)).To(Succeed(), "session variables still work")
		_, err = db.Exec("SET SESSION sql_select_limit = 100")
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses KILL of another session (1095) and shows only the own session in SHOW PROCESSLIST", func() {
		_, addr := mysqlTarget(nil)
		db := openMySQL(addr, "root", mysqlTestPassword)
		a, b := conn(db), conn(db)
		idA, idB := connectionID(a), connectionID(b)
		Expect(idA).NotTo(Equal(idB))
		ctx := context.Background()
		for _, q := range []string{"KILL %d", "KILL CONNECTION %d", "KILL QUERY %d"} {
			_, err := b.ExecContext(ctx, strings.Replace(q, "%d", jsonNumber(idA), 1))
			Expect(mysqlCode(err)).To(Equal(uint16(1095)), "%s: %v", q, err)
		}
		Expect(connectionID(a)).To(Equal(idA), "the other session is alive")

		for _, q := range []string{"SHOW PROCESSLIST", "SHOW FULL PROCESSLIST", "SELECT ID FROM information_schema.PROCESSLIST"} {
			rows, err := b.QueryContext(ctx, q)
			Expect(err).NotTo(HaveOccurred(), q)
			cols, err := rows.Columns()
			Expect(err).NotTo(HaveOccurred())
			var ids []int64
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				Expect(rows.Scan(ptrs...)).To(Succeed())
				var id int64
				switch v := vals[0].(type) {
				case int64:
					id = v
				case uint64:
					id = int64(v)
				case []byte:
					Expect(json.Unmarshal(v, &id)).To(Succeed())
				}
				ids = append(ids, id)
			}
			Expect(rows.Err()).NotTo(HaveOccurred())
			Expect(ids).To(Equal([]int64{idB}), q)
		}
	})

	It("refuses explicit transactions whatever their spelling (decided on the parsed statement)", func() {
		_, addr := mysqlTarget(nil)
		db := openMySQL(addr, "root", mysqlTestPassword)
		for _, q := range []string{"BEGIN", "-- opening\nBEGIN", "START TRANSACTION READ ONLY", "SET sql_mode = '', autocommit = 0", "SET autocommit := OFF", "SAVEPOINT s"} {
			_, err := db.Exec(q)
			Expect(mysqlCode(err)).To(Equal(uint16(1235)), "%q: %v", q, err)
			Expect(err).To(MatchError(ContainSubstring("explicit transactions are not supported")))
		}
	})

	DescribeTable("an inspection read does not hold up the provider APIs while it runs",
		func(query string) {
			t, addr := mysqlTarget(func(c *server.Config) { c.MySQLQueryTimeout = 2 * time.Minute })
			db := openMySQL(addr, "root", mysqlTestPassword)
			sleeper, watcher := conn(db), conn(db)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				defer GinkgoRecover()
				var a, b sql.NullInt64
				done <- sleeper.QueryRowContext(ctx, query).Scan(&a, &b)
			}()
			// The statement holds the engine lock 'inspect' once it runs.
			Eventually(func() bool {
				var holder sql.NullInt64
				Expect(watcher.QueryRowContext(context.Background(), "SELECT IS_USED_LOCK('inspect')").Scan(&holder)).To(Succeed())
				return holder.Valid
			}).WithTimeout(30 * time.Second).Should(BeTrue())

			// A client deadline far below the sleep: a blocked provider fails here.
			t.Client = &http.Client{Timeout: 10 * time.Second}
			a := rebillyAccount(t, target.Unique("mysql-"))
			r := a.do("PUT", "/customers/"+target.Unique("cus-"), []byte(`{"primaryAddress":{"firstName":"In","lastName":"Spect"}}`))
			Expect(r.Status).To(Equal(http.StatusCreated), string(r.Body))
			res, err := t.Client.Get(t.AdminURL + "/readyz")
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Body.Close()).To(Succeed())
			Expect(res.StatusCode).To(Equal(http.StatusOK))
			select {
			case err := <-done:
				Fail("the inspection query ended before the provider requests returned: " + errString(err))
			default:
			}
			cancel() // the driver closes the connection; the engine cancels the sleep
			Eventually(done).WithTimeout(30 * time.Second).Should(Receive())
		},
		Entry("SELECT SLEEP", "SELECT GET_LOCK('inspect', 0), SLEEP(60)"),
		Entry("WITH … SELECT SLEEP", "WITH w AS (SELECT 1 AS one) SELECT GET_LOCK('inspect', 0), SLEEP(60) FROM w"),
		Entry("VALUES ROW(… SLEEP)", "VALUES ROW(GET_LOCK('inspect', 0), SLEEP(60))"),
		Entry("SET @a = (SELECT … SLEEP)", "SET @a = (SELECT GET_LOCK('inspect', 0) + SLEEP(60))"),
	)

	It("cancels a statement past --mysql-query-timeout with MySQL error 3024, and the session goes on", func() {
		_, addr := mysqlTarget(func(c *server.Config) { c.MySQLQueryTimeout = 300 * time.Millisecond })
		db := openMySQL(addr, "root", mysqlTestPassword)
		c := conn(db)
		ctx := context.Background()
		for _, q := range []string{"SELECT SLEEP(20)", "WITH w AS (SELECT 1 AS one) SELECT SLEEP(20) FROM w", "SET @a = (SELECT SLEEP(20))"} {
			_, err := c.ExecContext(ctx, q)
			Expect(mysqlCode(err)).To(Equal(uint16(3024)), "%s: %v", q, err)
		}
		Expect(connectionID(c)).To(BeNumerically(">", 0))
	})

	It("enforces --mysql-max-connections: one more connection gets MySQL error 1040", func() {
		_, addr := mysqlTarget(func(c *server.Config) { c.MySQLMaxConnections = 2 })
		db := openMySQL(addr, "root", mysqlTestPassword)
		a, b := conn(db), conn(db)
		Expect(a.PingContext(context.Background())).To(Succeed())
		Expect(b.PingContext(context.Background())).To(Succeed())
		err := openMySQL(addr, "root", mysqlTestPassword).Ping()
		Expect(mysqlCode(err)).To(Equal(uint16(1040)), "%v", err)
		Expect(err).To(MatchError(ContainSubstring("Too many connections")))
		Expect(connectionID(a)).To(BeNumerically(">", 0), "the admitted sessions keep working")
	})

	It("refuses ANALYZE TABLE (1235: the simulator keeps the statistics) and runs queries next to provider writes without a data race, a deadlock or an error", func() {
		t, addr := mysqlTarget(nil)
		a := rebillyAccount(t, target.Unique("analyze-"))
		db := openMySQL(addr, "root", mysqlTestPassword)
		db.SetMaxOpenConns(4)
		const rounds = 40
		errs := make([]error, 3*rounds)
		statuses := make([]int, rounds)
		parallel(3*rounds, func(i int) {
			switch i % 3 {
			case 0:
				_, err := db.Exec("ANALYZE TABLE rebilly_customers")
				if mysqlCode(err) != 1235 {
					errs[i] = fmt.Errorf("ANALYZE answered %v, want MySQL error 1235", err)
				}
			case 1:
				var n int
				errs[i] = db.QueryRow("SELECT COUNT(*) FROM rebilly_customers WHERE first_name = 'Analyze'").Scan(&n)
			default:
				statuses[i/3] = a.do("PUT", "/customers/"+target.Unique("cus-an-"), []byte(`{"primaryAddress":{"firstName":"Analyze"}}`)).Status
			}
		})
		for i, err := range errs {
			Expect(err).NotTo(HaveOccurred(), "statement %d", i)
		}
		for _, st := range statuses {
			Expect(st).To(Equal(http.StatusCreated))
		}
	})

	It("bounds what a statement may build and return (MySQL error 1301)", func() {
		_, addr := mysqlTarget(nil)
		db := openMySQL(addr, "root", mysqlTestPassword)
		for _, q := range []string{"SELECT repeat('a', 1e9)", "SELECT lpad('', 1e9, 'x')", "SELECT space(1e9)",
			"SELECT replace(repeat('a', 1e6), 'a', repeat('b', 1000))"} {
			_, err := db.Exec(q)
			Expect(mysqlCode(err)).To(Equal(uint16(1301)), "%s: %v", q, err)
			Expect(err).To(MatchError(ContainSubstring("--mysql-max-result-bytes")))
		}

		_, addr = mysqlTarget(func(c *server.Config) { c.MySQLMaxResultBytes = 64 << 10 })
		db = openMySQL(addr, "root", mysqlTestPassword)
		var s string
		Expect(db.QueryRow("SELECT repeat('a', 1000)").Scan(&s)).To(Succeed())
		Expect(s).To(Equal(strings.Repeat("a", 1000)))
		for _, q := range []string{
			"SELECT repeat('a', 100000)",
			"SELECT concat(repeat('a', 40000), repeat('b', 40000))",
			// many rows of literals: the result bytes, not a function, pass the bound
			"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000) SELECT n, 'abcdefghijklmnopqrstuvwxyz' FROM r",
		} {
			rows, err := db.Query(q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				_ = rows.Close()
			}
			Expect(mysqlCode(err)).To(Equal(uint16(1301)), "%s: %v", q, err)
		}
	})
})

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
