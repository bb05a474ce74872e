package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
)

// The one schema every table has. Column order is the row layout.
const (
	colTenant = iota
	colID
	colSeq
	colEmail
	colFirstName
	colLastName
	colExtKey
	colCreated
	colUpdated
	colRevision
	colDoc
	numCols
)

// Collation of every text column: binary, so comparisons are exact and
// identical on go-mysql-server and MySQL/MariaDB.
const textCollation = sql.Collation_utf8mb4_0900_bin

func varchar(n int64) sql.Type {
	return types.MustCreateString(sqltypes.VarChar, n, textCollation)
}

var datetime6 = types.MustCreateDatetimeType(sqltypes.Datetime, 6)

// schemaFor returns the columns of a table, primary key (tenant, id).
func schemaFor(tableName string) sql.Schema {
	col := func(name string, typ sql.Type, pk bool) *sql.Column {
		return &sql.Column{Name: name, Type: typ, Nullable: false, Source: tableName, PrimaryKey: pk, DatabaseSource: DatabaseName}
	}
	s := sql.Schema{
		col("tenant", varchar(100), true),
		col("id", varchar(100), true),
		col("seq", types.Int64, false),
		col("email", varchar(320), false),
		col("first_name", varchar(255), false),
		col("last_name", varchar(255), false),
		col("ext_key", varchar(255), false),
		col("created_time", datetime6, false),
		col("updated_time", datetime6, false),
		col("revision", types.Int64, false),
		col("doc", types.JSON, false),
	}
	s[colDoc].Nullable = true
	return s
}

// columnNames are the SQL names in row order.
var columnNames = []string{"tenant", "id", "seq", "email", "first_name", "last_name", "ext_key",
	"created_time", "updated_time", "revision", "doc"}

func toRow(r *Record) sql.Row {
	var doc any
	if len(r.Doc) > 0 {
		doc = types.NewLazyJSONDocument(r.Doc)
	}
	return sql.Row{r.Tenant, r.ID, r.Seq, r.Email, r.FirstName, r.LastName, r.ExtKey, r.Created, r.Updated, r.Revision, doc}
}

// fromRow converts a row written through SQL into a Record.
func fromRow(row sql.Row) (Record, error) {
	if len(row) != numCols {
		return Record{}, fmt.Errorf("store: row has %d columns, want %d", len(row), numCols)
	}
	var r Record
	var err error
	str := func(i int) string {
		if err != nil || row[i] == nil {
			return ""
		}
		s, ok := row[i].(string)
		if !ok {
			err = fmt.Errorf("store: column %s: unexpected %T", columnNames[i], row[i])
		}
		return s
	}
	i64 := func(i int) int64 {
		if err != nil || row[i] == nil {
			return 0
		}
		switch v := row[i].(type) {
		case int64:
			return v
		case int32:
			return int64(v)
		case int:
			return int64(v)
		}
		err = fmt.Errorf("store: column %s: unexpected %T", columnNames[i], row[i])
		return 0
	}
	tm := func(i int) time.Time {
		if err != nil || row[i] == nil {
			return time.Time{}
		}
		t, ok := row[i].(time.Time)
		if !ok {
			err = fmt.Errorf("store: column %s: unexpected %T", columnNames[i], row[i])
		}
		return t
	}
	r.Tenant, r.ID, r.Seq = str(colTenant), str(colID), i64(colSeq)
	r.Email, r.FirstName, r.LastName, r.ExtKey = str(colEmail), str(colFirstName), str(colLastName), str(colExtKey)
	r.Created, r.Updated, r.Revision = tm(colCreated), tm(colUpdated), i64(colRevision)
	if err != nil {
		return Record{}, err
	}
	switch v := row[colDoc].(type) {
	case nil:
	case *types.LazyJSONDocument:
		// Keep the bytes as written: member order is part of some providers'
		// wire format.
		r.Doc = append([]byte(nil), v.Bytes...)
	case sql.JSONWrapper:
		val, e := v.ToInterface()
		if e != nil {
			return Record{}, e
		}
		r.Doc, err = json.Marshal(val)
	case string:
		r.Doc = []byte(v)
	case []byte:
		r.Doc = v
	default:
		err = fmt.Errorf("store: column doc: unexpected %T", v)
	}
	return r, err
}
