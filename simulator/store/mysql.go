package store

import (
	"context"
	"fmt"
	"net"

	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// mysqlListener is the optional MySQL wire-protocol inspection port.
type mysqlListener struct{ srv *server.Server }

func (l *mysqlListener) close() error { return l.srv.Close() }

// ServeMySQL starts the inspection listener on addr (e.g. 127.0.0.1:3306)
// over the same tables. With readOnly, writes are refused by the engine;
// explicit transactions are always refused. It returns the bound address.
func (s *Store) ServeMySQL(addr string, readOnly bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return "", fmt.Errorf("store: inspection listener already running")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	engine := newEngine(s.db, readOnly)
	var chain server.InterceptorChain
	chain.WithInterceptor(txGuard{s: s})
	cfg := server.Config{Protocol: "tcp", Listener: ln, Options: []server.Option{chain.Option()}}
	srv, err := server.NewServer(cfg, engine, sql.NewContext, func(_ context.Context, c *mysql.Conn, addr string) (sql.Session, error) {
		host, _, _ := net.SplitHostPort(addr)
		sess := sql.NewBaseSessionWithClientServer(addr, sql.Client{Address: host, User: c.User, Capabilities: c.Capabilities}, c.ConnectionID)
		sess.SetCurrentDatabase(DatabaseName)
		return sess, nil
	}, nil)
	if err != nil {
		_ = ln.Close()
		return "", err
	}
	s.listener = &mysqlListener{srv: srv}
	go func() {
		if err := srv.Start(); err != nil {
			s.logger.Warn("mysql inspection listener stopped", "error", err)
		}
	}()
	return ln.Addr().String(), nil
}

// txGuard refuses explicit transactions on the wire.
type txGuard struct{ s *Store }

func (txGuard) Priority() int { return 0 }

func (g txGuard) Query(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, cb func(*sqltypes.Result, bool) error) error {
	if err := refuseTransaction(query); err != nil {
		return err
	}
	if isWrite(query) {
		var unlock func()
		ctx, unlock = g.s.lockAll(ctx)
		defer unlock()
	}
	return chain.ComQuery(ctx, c, query, cb)
}

func (g txGuard) ParsedQuery(chain server.Chain, c *mysql.Conn, query string, _ sqlparser.Statement, cb func(*sqltypes.Result, bool) error) error {
	return g.Query(context.Background(), chain, c, query, cb)
}

func (g txGuard) MultiQuery(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, cb func(*sqltypes.Result, bool) error) (string, error) {
	if err := refuseTransaction(query); err != nil {
		return "", err
	}
	if isWrite(query) {
		var unlock func()
		ctx, unlock = g.s.lockAll(ctx)
		defer unlock()
	}
	return chain.ComMultiQuery(ctx, c, query, cb)
}

func (txGuard) Prepare(ctx context.Context, chain server.Chain, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	if err := refuseTransaction(query); err != nil {
		return nil, err
	}
	return chain.ComPrepare(ctx, c, query, prepare)
}

func (txGuard) StmtExecute(ctx context.Context, chain server.Chain, c *mysql.Conn, prepare *mysql.PrepareData, cb func(*sqltypes.Result) error) error {
	return chain.ComStmtExecute(ctx, c, prepare, cb)
}
