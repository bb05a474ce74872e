package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// Defaults of MySQLOptions (a zero field takes its default).
const (
	DefaultMySQLUser           = "root"
	DefaultMySQLQueryTimeout   = 5 * time.Second
	DefaultMySQLMaxConnections = 16
	DefaultMySQLMaxResultBytes = 64 << 20
)

// MySQLOptions configures the inspection listener.
type MySQLOptions struct {
	// Addr is the listen address, e.g. 127.0.0.1:3306.
	Addr string
	// ReadOnly refuses every write (the engine's read-only mode).
	ReadOnly bool
	// User and Password are the one account the listener accepts
	// (mysql_native_password). With no Password the listener starts only on
	// a loopback address, with a generated password logged once.
	User     string
	Password string
	// QueryTimeout bounds every statement (MySQL error 3024 past it).
	QueryTimeout time.Duration
	// MaxConnections caps the open connections; one more gets MySQL error
	// 1040 (Too many connections).
	MaxConnections int
	// MaxResultBytes bounds, per statement, the bytes of the result sent and
	// the bytes string functions produce (MySQL error 1301 past it).
	MaxResultBytes int64
}

func (o *MySQLOptions) defaults() error {
	if o.User == "" {
		o.User = DefaultMySQLUser
	}
	if o.QueryTimeout == 0 {
		o.QueryTimeout = DefaultMySQLQueryTimeout
	}
	if o.MaxConnections == 0 {
		o.MaxConnections = DefaultMySQLMaxConnections
	}
	if o.MaxResultBytes == 0 {
		o.MaxResultBytes = DefaultMySQLMaxResultBytes
	}
	switch {
	case o.QueryTimeout < 0:
		return fmt.Errorf("query timeout %s: want a positive duration", o.QueryTimeout)
	case o.MaxConnections < 0:
		return fmt.Errorf("max connections %d: want at least 1", o.MaxConnections)
	case o.MaxResultBytes < 1024:
		return fmt.Errorf("max result bytes %d: want at least 1024", o.MaxResultBytes)
	}
	return nil
}

// IsLoopback reports whether a listen address binds only loopback
// (127.0.0.0/8, ::1 or localhost). An empty host (":3306") or 0.0.0.0 binds
// every interface and is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// mysqlListener is the optional MySQL wire-protocol inspection port.
type mysqlListener struct {
	srv     *server.Server
	ln      *limitListener
	release func()
}

func (l *mysqlListener) close() error {
	err := l.srv.Close()
	l.ln.closeAll()
	l.release()
	return err
}

// ServeMySQL starts the inspection listener on a loopback addr with the
// default options and a generated password (logged once); see
// ServeMySQLWith. It returns the bound address.
func (s *Store) ServeMySQL(addr string, readOnly bool) (string, error) {
	return s.ServeMySQLWith(MySQLOptions{Addr: addr, ReadOnly: readOnly})
}

// ServeMySQLWith starts the inspection listener over the same tables and
// returns its bound address. It behaves like a MySQL server configured
// safely: one account; no file access (LOAD_FILE is NULL, INTO OUTFILE /
// DUMPFILE and LOAD DATA are refused); no global variables, KILL of other
// sessions, user or privilege management, replication or explicit
// transactions; SHOW PROCESSLIST shows the own session only; every
// statement is bounded in time and bytes. Reads never take the tables'
// write locks, so an inspection query holds up the provider APIs no longer
// than one row snapshot takes.
func (s *Store) ServeMySQLWith(opts MySQLOptions) (string, error) {
	if err := opts.defaults(); err != nil {
		return "", fmt.Errorf("store: mysql: %w", err)
	}
	generated := false
	if opts.Password == "" {
		if !IsLoopback(opts.Addr) {
			return "", fmt.Errorf("store: mysql: no password configured and %q is not a loopback address: set a password (--mysql-password) or bind 127.0.0.1", opts.Addr)
		}
		pw, err := randomPassword()
		if err != nil {
			return "", err
		}
		opts.Password, generated = pw, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return "", fmt.Errorf("store: inspection listener already running")
	}
	raw, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return "", err
	}
	ln := newLimitListener(raw, opts.MaxConnections)
	engineLog, release := bridgeEngineLogs(s.logger)
	engine := newInspectionEngine(s.db, opts)
	// The inspection engine has its own statistics map: guard it like the
	// store's. ANALYZE itself is refused on the wire (refusal); on a
	// read-only listener no statement holds a table lock while it plans, so
	// the guard takes no table locks there.
	statsLock := s.lockAll
	if opts.ReadOnly {
		statsLock = func(ctx context.Context) (context.Context, func()) { return ctx, func() {} }
	}
	guardStats(engine, statsLock)
	g := &guard{s: s, opts: opts}
	var chain server.InterceptorChain
	chain.WithInterceptor(g)
	capture := func(e *sqle.Engine, sm *server.SessionManager, h mysql.Handler) (*sqle.Engine, *server.SessionManager, mysql.Handler) {
		g.parserOptions = h.ParserOptionsForConnection
		return e, sm, h
	}
	auth := &nativeAuth{user: opts.User, password: []byte(opts.Password)}
	cfg := server.Config{
		Protocol: "tcp", Listener: ln, Options: []server.Option{capture, chain.Option()},
		ProtocolListenerFactory: func(cfg server.Config, lc mysql.ListenerConfig, sel server.ServerEventListener) (server.ProtocolListener, error) {
			lc.AuthServer = auth
			return server.MySQLProtocolListenerFactory(cfg, lc, sel)
		},
	}
	sessions := func(_ context.Context, c *mysql.Conn, addr string) (sql.Session, error) {
		host, _, _ := net.SplitHostPort(addr)
		sess := sql.NewBaseSessionWithClientServer(addr, sql.Client{Address: host, User: c.User, Capabilities: c.Capabilities}, c.ConnectionID)
		sess.SetCurrentDatabase(DatabaseName)
		sess.SetLogger(engineLog.WithField("connectionID", c.ConnectionID))
		return sess, nil
	}
	srv, err := server.NewServer(cfg, engine, ownProcessesContext, sessions, nil)
	if err != nil {
		_ = ln.Close()
		release()
		return "", err
	}
	s.listener = &mysqlListener{srv: srv, ln: ln, release: release}
	if generated {
		s.logger.Info("mysql inspection listener: no password configured, generated one for this run",
			"user", opts.User, "password", opts.Password)
	}
	// Listener.Accept rather than srv.Start: Start only adds the engine's
	// own lines, among them a secure_file_priv warning that does not apply
	// (file access is refused here whatever that variable says).
	go srv.Listener.Accept()
	return raw.Addr().String(), nil
}

func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: mysql: generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// nativeAuth accepts one user with one password over mysql_native_password.
// Every user name is handed to the password check, so a wrong user gets the
// same access-denied error (1045) as a wrong password.
type nativeAuth struct {
	user     string
	password []byte
}

func (a *nativeAuth) AuthMethods() []mysql.AuthMethod {
	return []mysql.AuthMethod{mysql.NewMysqlNativeAuthMethod(a, a)}
}

func (a *nativeAuth) DefaultAuthMethodDescription() mysql.AuthMethodDescription {
	return mysql.MysqlNativePassword
}

func (a *nativeAuth) HandleUser(string, net.Addr) bool { return true }

func (a *nativeAuth) UserEntryWithHash(_ []*x509.Certificate, salt []byte, user string, resp []byte, remote net.Addr) (mysql.Getter, error) {
	want := mysql.ScramblePassword(salt, a.password)
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(a.user)) == 1
	passOK := len(resp) == len(want) && subtle.ConstantTimeCompare(resp, want) == 1
	if !userOK || !passOK {
		host, _, _ := net.SplitHostPort(remote.String())
		using := "NO"
		if len(resp) > 0 {
			using = "YES"
		}
		return nil, mysql.NewSQLError(mysql.ERAccessDeniedError, mysql.SSAccessDeniedError,
			"Access denied for user '%s'@'%s' (using password: %s)", user, host, using)
	}
	return callerID(user), nil
}

type callerID string

func (c callerID) Get() *querypb.VTGateCallerID { return &querypb.VTGateCallerID{Username: string(c)} }

// limitListener enforces the connection cap: past it a client gets MySQL's
// "Too many connections" (1040) in place of the handshake, and the
// connection is closed.
type limitListener struct {
	net.Listener
	slots chan struct{}

	mu    sync.Mutex
	conns map[*limitConn]struct{}
}

func newLimitListener(l net.Listener, max int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, max), conns: map[*limitConn]struct{}{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			lc := &limitConn{Conn: c, l: l}
			l.mu.Lock()
			l.conns[lc] = struct{}{}
			l.mu.Unlock()
			return lc, nil
		default:
			refuseConnection(c)
		}
	}
}

// closeAll closes every open connection (at shutdown).
func (l *limitListener) closeAll() {
	l.mu.Lock()
	conns := make([]*limitConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}

// refuseConnection sends an ERR packet as the first packet, as MySQL does
// past max_connections, and closes the connection.
func refuseConnection(c net.Conn) {
	msg := "Too many connections"
	payload := append([]byte{0xff, byte(mysql.ERConCount & 0xff), byte(mysql.ERConCount >> 8), '#'}, "08004"+msg...)
	pkt := append([]byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), 0}, payload...)
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(pkt)
	_ = c.Close()
}

// ownProcessesContext builds the engine's query contexts: their process list
// shows only the session's own connection (SHOW PROCESSLIST and
// information_schema.PROCESSLIST), as MySQL does without the PROCESS
// privilege.
func ownProcessesContext(ctx context.Context, opts ...sql.ContextOption) *sql.Context {
	c := sql.NewContext(ctx, opts...)
	if c.Session != nil && c.ProcessList != nil {
		if _, wrapped := c.ProcessList.(ownProcesses); !wrapped {
			c.ProcessList = ownProcesses{ProcessList: c.ProcessList, id: c.Session.ID()}
		}
	}
	return c
}

type ownProcesses struct {
	sql.ProcessList
	id uint32
}

func (p ownProcesses) Processes() []sql.Process {
	var own []sql.Process
	for _, proc := range p.ProcessList.Processes() {
		if proc.Connection == p.id {
			own = append(own, proc)
		}
	}
	return own
}

// guard is the interceptor every statement of the wire protocol passes:
// refusals, the lock decision, the time limit and the result bound.
type guard struct {
	s             *Store
	opts          MySQLOptions
	parserOptions func(*mysql.Conn) (sqlparser.ParserOptions, error)
}

func (*guard) Priority() int { return 0 }

var errQueryTimeout = mysql.NewSQLError(mysql.ERQueryTimeout, mysql.SSUnknownSQLState,
	"Query execution was interrupted, maximum statement execution time exceeded")

// run checks the first statement of query, then runs exec under the
// statement's time limit and, for a write on a writable listener, under
// every table's write lock (one atomic statement; the lock is bounded by the
// same time limit).
func (g *guard) run(ctx context.Context, c *mysql.Conn, query string, exec func(context.Context) error) error {
	write := false
	var opts sqlparser.ParserOptions
	if g.parserOptions != nil {
		o, err := g.parserOptions(c)
		if err != nil {
			return err
		}
		opts = o
	}
	stmt, err := parseFirst(ctx, query, opts)
	if err == nil {
		if refused := refusal(stmt, c.ConnectionID); refused != nil {
			return refused
		}
		write = writes(stmt)
	} // else: the engine parses it the same way and answers its syntax error
	ctx, cancel := context.WithTimeout(ctx, g.opts.QueryTimeout)
	defer cancel()
	ctx = withBudget(ctx, g.opts.MaxResultBytes)
	if write && !g.opts.ReadOnly {
		var unlock func()
		ctx, unlock = g.s.lockAll(ctx)
		defer unlock()
	}
	err = exec(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errQueryTimeout
	}
	return err
}

// bounded holds the rows a statement returns until it ends, counting their
// bytes, and refuses the statement past the bound before anything is sent
// (so the client gets a clean error, never half a result). flush sends what
// was held; it is called only when the statement succeeded.
func (g *guard) bounded(cb func(*sqltypes.Result, bool) error) (hold func(*sqltypes.Result, bool) error, flush func() error) {
	type batch struct {
		r    *sqltypes.Result
		more bool
	}
	var (
		n    int64
		held []batch
	)
	hold = func(r *sqltypes.Result, more bool) error {
		if r != nil {
			c := *r
			c.Rows = make([][]sqltypes.Value, len(r.Rows))
			for i, row := range r.Rows {
				c.Rows[i] = make([]sqltypes.Value, len(row))
				for j, v := range row {
					n += int64(v.Len())
					c.Rows[i][j] = sqltypes.MakeTrusted(v.Type(), append([]byte(nil), v.Raw()...))
				}
			}
			r = &c
		}
		if n > g.opts.MaxResultBytes {
			return resultTooLarge(g.opts.MaxResultBytes)
		}
		held = append(held, batch{r, more})
		return nil
	}
	flush = func() error {
		for _, b := range held {
			if err := cb(b.r, b.more); err != nil {
				return err
			}
		}
		held = nil
		return nil
	}
	return hold, flush
}

func resultTooLarge(max int64) error {
	return mysql.NewSQLError(errAllowedPacketOverflowed, mysql.SSUnknownSQLState,
		"Result of the statement is larger than the inspection listener's bound of %d bytes (--mysql-max-result-bytes); add a LIMIT or select fewer columns", max)
}

func (g *guard) Query(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, cb func(*sqltypes.Result, bool) error) error {
	hold, flush := g.bounded(cb)
	if err := g.run(ctx, c, query, func(ctx context.Context) error { return chain.ComQuery(ctx, c, query, hold) }); err != nil {
		return err
	}
	return flush()
}

func (g *guard) ParsedQuery(chain server.Chain, c *mysql.Conn, query string, _ sqlparser.Statement, cb func(*sqltypes.Result, bool) error) error {
	return g.Query(context.Background(), chain, c, query, cb)
}

func (g *guard) MultiQuery(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, cb func(*sqltypes.Result, bool) error) (string, error) {
	hold, flush := g.bounded(cb)
	var rest string
	err := g.run(ctx, c, query, func(ctx context.Context) error {
		var err error
		rest, err = chain.ComMultiQuery(ctx, c, query, hold)
		return err
	})
	if err != nil {
		return "", err
	}
	return rest, flush()
}

func (g *guard) Prepare(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	var fields []*querypb.Field
	err := g.run(ctx, c, query, func(ctx context.Context) error {
		var err error
		fields, err = chain.ComPrepare(ctx, c, query, prepare)
		return err
	})
	return fields, err
}

func (g *guard) StmtExecute(ctx context.Context, chain server.Chain, c *mysql.Conn, prepare *mysql.PrepareData, cb func(*sqltypes.Result) error) error {
	hold, flush := g.bounded(func(r *sqltypes.Result, _ bool) error { return cb(r) })
	err := g.run(ctx, c, prepare.PrepareStmt, func(ctx context.Context) error {
		return chain.ComStmtExecute(ctx, c, prepare, func(r *sqltypes.Result) error { return hold(r, false) })
	})
	if err != nil {
		return err
	}
	return flush()
}

// MySQL error numbers the vitess package does not name.
const (
	errAllowedPacketOverflowed = 1301 // ER_WARN_ALLOWED_PACKET_OVERFLOWED
	errNotSupportedYet         = 1235 // ER_NOT_SUPPORTED_YET
)

func secureFilePriv() *mysql.SQLError {
	return mysql.NewSQLError(mysql.EROptionPreventsStatement, mysql.SSUnknownSQLState,
		"The MySQL server is running with the --secure-file-priv option so it cannot execute this statement")
}

func accessDenied(privilege string) *mysql.SQLError {
	return mysql.NewSQLError(mysql.ERSpecifiedAccessDenied, "42000",
		"Access denied; you need (at least one of) the %s privilege(s) for this operation", privilege)
}

// refusal returns the MySQL error for a statement the inspection listener
// never runs, or nil. conn is the session's own connection id (KILL of it is
// allowed).
func refusal(stmt sqlparser.Statement, conn uint32) *mysql.SQLError {
	switch s := stmt.(type) {
	case *sqlparser.Load:
		return secureFilePriv()
	case *sqlparser.Set:
		for _, e := range s.Exprs {
			switch e.Scope {
			case sqlparser.SetScope_Global, sqlparser.SetScope_Persist, sqlparser.SetScope_PersistOnly:
				return accessDenied("SUPER or SYSTEM_VARIABLES_ADMIN")
			}
			if e.Scope != sqlparser.SetScope_User && strings.EqualFold(e.Name.String(), "password") {
				return accessDenied("CREATE USER")
			}
		}
	case *sqlparser.Kill:
		if v, ok := s.ConnID.(*sqlparser.SQLVal); ok {
			if id, err := strconv.ParseUint(string(v.Val), 10, 32); err == nil && uint32(id) == conn {
				return nil
			}
			return mysql.NewSQLError(mysql.ERKillDenied, mysql.SSUnknownSQLState, "You are not owner of thread %s", string(v.Val))
		}
		return mysql.NewSQLError(mysql.ERKillDenied, mysql.SSUnknownSQLState, "You are not owner of thread %s", sqlparser.String(s.ConnID))
	case *sqlparser.CreateUser, *sqlparser.DropUser, *sqlparser.RenameUser, *sqlparser.CreateRole, *sqlparser.DropRole,
		*sqlparser.GrantPrivilege, *sqlparser.GrantRole, *sqlparser.GrantProxy,
		*sqlparser.RevokePrivilege, *sqlparser.RevokeAllPrivileges, *sqlparser.RevokeRole, *sqlparser.RevokeProxy:
		return accessDenied("CREATE USER")
	case *sqlparser.DDL:
		if s.User.Name != "" || s.Authentication != nil || s.AccountLimits != nil {
			return accessDenied("CREATE USER")
		}
		if s.TriggerSpec != nil || s.ProcedureSpec != nil || s.EventSpec != nil {
			return mysql.NewSQLError(errNotSupportedYet, "42000", "stored programs (triggers, procedures, events) are not supported on the inspection listener")
		}
	case *sqlparser.Flush:
		return accessDenied("RELOAD")
	case *sqlparser.Analyze:
		// The store keeps its engine's statistics itself (under every
		// table's lock); the engine's ANALYZE of a table that provider
		// writes change meanwhile can fail inside the engine.
		return mysql.NewSQLError(errNotSupportedYet, "42000", "ANALYZE TABLE is not available on the inspection listener: the simulator keeps the statistics itself")
	case *sqlparser.ChangeReplicationSource, *sqlparser.ChangeReplicationFilter, *sqlparser.StartReplica,
		*sqlparser.StopReplica, *sqlparser.ResetReplica, *sqlparser.PurgeBinaryLogs:
		return accessDenied("SUPER or REPLICATION_SLAVE_ADMIN")
	case *sqlparser.BeginEndBlock, *sqlparser.CaseStatement, *sqlparser.IfStatement, *sqlparser.Loop, *sqlparser.Repeat,
		*sqlparser.While, *sqlparser.Declare, *sqlparser.Signal, *sqlparser.Resignal, *sqlparser.Leave, *sqlparser.Iterate,
		*sqlparser.Return, *sqlparser.OpenCursor, *sqlparser.CloseCursor, *sqlparser.FetchCursor:
		return mysql.NewSQLError(errNotSupportedYet, "42000", "compound statements are not supported outside stored programs")
	case *sqlparser.Explain:
		if r := refusal(s.Statement, conn); r != nil {
			return r
		}
	}
	if opensTransaction(stmt) {
		return mysql.NewSQLError(errNotSupportedYet, "42000", "%s", ErrTransactions.Error())
	}
	if writesFile(stmt) {
		return secureFilePriv()
	}
	return nil
}

// writesFile reports a SELECT … INTO OUTFILE / DUMPFILE anywhere in stmt.
func writesFile(stmt sqlparser.Statement) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		var into *sqlparser.Into
		switch v := n.(type) {
		case *sqlparser.Into:
			into = v
		case *sqlparser.Select:
			into = v.Into
		case *sqlparser.SetOp:
			into = v.Into
		}
		if into != nil && (into.Outfile != "" || into.Dumpfile != "") {
			found = true
			return false, nil
		}
		return true, nil
	}, stmt)
	return found
}

// guardParser is the inspection engine's parser: every statement the engine
// parses (including the text of PREPARE … FROM) gets the same refusals as
// the wire guard, so nothing reaches execution around it.
type guardParser struct{ sql.Parser }

func sessionID(ctx context.Context) uint32 {
	if c, ok := ctx.(*sql.Context); ok && c.Session != nil {
		return c.Session.ID()
	}
	return 0
}

func guarded(ctx context.Context, stmt sqlparser.Statement, err error) error {
	if err != nil || stmt == nil {
		return err
	}
	if r := refusal(stmt, sessionID(ctx)); r != nil {
		return r
	}
	return nil
}

func (p guardParser) ParseSimple(query string) (sqlparser.Statement, error) {
	stmt, err := p.Parser.ParseSimple(query)
	if err := guarded(context.Background(), stmt, err); err != nil {
		return nil, err
	}
	return stmt, nil
}

func (p guardParser) Parse(ctx *sql.Context, query string, multi bool) (sqlparser.Statement, string, string, error) {
	stmt, parsed, rest, err := p.Parser.Parse(ctx, query, multi)
	if err := guarded(ctx, stmt, err); err != nil {
		return nil, parsed, rest, err
	}
	return stmt, parsed, rest, nil
}

func (p guardParser) ParseWithOptions(ctx context.Context, query string, delimiter rune, multi bool, options sqlparser.ParserOptions) (sqlparser.Statement, string, string, error) {
	stmt, parsed, rest, err := p.Parser.ParseWithOptions(ctx, query, delimiter, multi, options)
	if err := guarded(ctx, stmt, err); err != nil {
		return nil, parsed, rest, err
	}
	return stmt, parsed, rest, nil
}

func (p guardParser) ParseOneWithOptions(ctx context.Context, query string, options sqlparser.ParserOptions) (sqlparser.Statement, int, error) {
	stmt, n, err := p.Parser.ParseOneWithOptions(ctx, query, options)
	if err := guarded(ctx, stmt, err); err != nil {
		return nil, n, err
	}
	return stmt, n, nil
}
