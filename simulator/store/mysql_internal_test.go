package store

import (
	"context"
	"testing"

	"github.com/dolthub/vitess/go/vt/sqlparser"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:3306": true, "127.9.8.7:1": true, "[::1]:3306": true, "localhost:0": true, "LocalHost:3306": true,
		":3306": false, "0.0.0.0:3306": false, "[::]:3306": false, "10.0.0.1:3306": false, "example.com:3306": false,
		"127.0.0.1": false, "": false, "[::ffff:127.0.0.1]:1": true,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// The read/write decision and the refusals are made on the parsed statement.
func TestStatementClassification(t *testing.T) {
	reads := []string{
		"SELECT 1", "WITH a AS (SELECT 1) SELECT SLEEP(8)", "/* x */ with a as (select 1) select * from a",
		"VALUES ROW(1, 2)", "TABLE rebilly_customers", "SELECT 1 UNION SELECT 2", "(SELECT 1) UNION (SELECT 2)",
		"SET @a = (SELECT COUNT(*) FROM rebilly_customers)", "SET SESSION sql_mode = ''", "SHOW TABLES",
		"SHOW PROCESSLIST", "EXPLAIN SELECT 1", "EXPLAIN UPDATE rebilly_customers SET revision = 1", "DESCRIBE rebilly_customers",
		"USE paysandbox", "-- c\nSELECT 1", "COMMIT", "SELECT 1 INTO @x",
	}
	writes_ := []string{
		"INSERT INTO t VALUES (1)", "REPLACE INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t",
		"TRUNCATE TABLE t", "/* SELECT */ DELETE FROM t", "WITH a AS (SELECT 1) UPDATE t SET x = 1", "CREATE TABLE x (a int)",
		"EXPLAIN ANALYZE UPDATE t SET a = 1", "CALL p()",
	}
	for _, q := range reads {
		if isWrite(q) {
			t.Errorf("%q counted as a write", q)
		}
	}
	for _, q := range writes_ {
		if !isWrite(q) {
			t.Errorf("%q counted as a read", q)
		}
	}
	if isWrite("-- only a comment") {
		t.Error("an empty statement counted as a write")
	}
	if !isWrite("SELEC garbage") {
		t.Error("an unparsable statement must count as a write")
	}

	refused := map[string]uint16{
		"SELECT 'x' INTO OUTFILE '/tmp/f'": 1290, "SELECT 'x' INTO DUMPFILE '/tmp/f'": 1290,
		"WITH a AS (SELECT 1) SELECT * FROM a INTO OUTFILE '/tmp/f'": 1290, "LOAD DATA INFILE '/etc/passwd' INTO TABLE t": 1290,
		"LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t": 1290,
		"SET GLOBAL max_connections = 1":                    1227, "SET @@global.x = 1": 1227, "SET PERSIST x = 1": 1227, "SET PERSIST_ONLY x = 1": 1227,
		"SET @a = 1, @@GLOBAL.b = 2": 1227, "SET PASSWORD = 'x'": 1227, "CREATE USER u": 1227, "DROP USER u": 1227,
		"ALTER USER u IDENTIFIED BY 'x'": 1227, "RENAME USER a TO b": 1227, "GRANT ALL ON *.* TO u": 1227, "REVOKE ALL ON *.* FROM u": 1227,
		"GRANT r TO u": 1227, "CREATE ROLE r": 1227, "DROP ROLE r": 1227, "FLUSH PRIVILEGES": 1227, "START REPLICA": 1227,
		"CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'x'": 1227, "KILL 5": 1095, "KILL QUERY 5": 1095,
		"BEGIN": 1235, "START TRANSACTION READ ONLY": 1235, "SET autocommit = 0": 1235, "SET @@session.autocommit = OFF": 1235,
		"SET sql_mode = '', autocommit = 0": 1235, "SAVEPOINT s": 1235, "ROLLBACK TO SAVEPOINT s": 1235, "RELEASE SAVEPOINT s": 1235,
		"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1": 1235,
		"ANALYZE TABLE rebilly_customers":                              1235,
	}
	for q, code := range refused {
		stmt, err := parseFirst(context.Background(), q, sqlparser.ParserOptions{})
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		r := refusal(stmt, 7)
		if r == nil || r.Number() != int(code) {
			t.Errorf("%q: refusal %v, want %d", q, r, code)
		}
	}
	for _, q := range append(reads, "KILL 7", "KILL QUERY 7", "SET autocommit = 1", "SET @autocommit = 0", "SET @password = 'x'", "SELECT LOAD_FILE('/etc/passwd')") {
		stmt, err := parseFirst(context.Background(), q, sqlparser.ParserOptions{})
		if err != nil {
			t.Errorf("%q: %v", q, err)
			continue
		}
		if r := refusal(stmt, 7); r != nil {
			t.Errorf("%q refused: %v", q, r)
		}
	}
}
