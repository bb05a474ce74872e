package store

import (
	"math"
	"slices"
	"time"

	"github.com/google/btree"
)

// listIndexed answers the common list shapes straight from the B-trees,
// without going through SQL: no search, no filters except ranges on seq,
// and an order the trees already hold — nothing (id), created_time or seq,
// either direction, with the id tie-break List always adds. ok=false means
// the query needs SQL. Results are identical to the SQL path (a spec
// compares both on random data).
func (s *Store) listIndexed(t *table, q Query) (Page, bool) {
	if q.Search != "" || len(q.Sort) > 1 {
		return Page{}, false
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for _, any := range q.Where {
		if len(any) != 1 || any[0].Field != "seq" || len(any[0].Values) != 1 {
			return Page{}, false
		}
		v, ok := any[0].Values[0].(int64)
		if !ok {
			return Page{}, false
		}
		switch any[0].Op {
		case OpGt:
			if v == math.MaxInt64 {
				return Page{Records: []Record{}}, true
			}
			lo = max(lo, v+1)
		case OpGe:
			lo = max(lo, v)
		case OpLt:
			if v == math.MinInt64 {
				return Page{Records: []Record{}}, true
			}
			hi = min(hi, v-1)
		case OpLe:
			hi = min(hi, v)
		default:
			return Page{}, false
		}
	}
	field, desc := "id", false
	if len(q.Sort) == 1 {
		field, desc = q.Sort[0].Field, q.Sort[0].Desc
	}
	if len(q.Where) > 0 && field != "seq" {
		return Page{}, false
	}
	switch field {
	case "id", "created_time", "seq":
	default:
		return Page{}, false
	}

	t.mu.RLock()
	defer t.mu.RUnlock()
	page := Page{Records: []Record{}}
	if len(q.Where) == 0 {
		page.Total = t.counts[q.Tenant]
	} else if lo <= hi {
		t.bySeq.AscendRange(probe(&Record{Tenant: q.Tenant, Seq: lo}), seqUpper(q.Tenant, hi), func(*slot) bool {
			page.Total++
			return true
		})
	}
	if q.Limit < 0 || page.Total == 0 {
		return page, true
	}
	skip := q.Offset
	emit := func(r *Record) bool {
		if skip > 0 {
			skip--
			return true
		}
		page.Records = append(page.Records, *r)
		return q.Limit == 0 || len(page.Records) < q.Limit
	}
	tenant := q.Tenant
	switch field {
	case "id":
		if desc {
			descendTenant(t.primary, tenant, &Record{Tenant: tenant + "\x00"}, emit)
		} else {
			t.primary.AscendGreaterOrEqual(probe(&Record{Tenant: tenant}), inTenant(tenant, emit))
		}
	case "seq":
		if desc {
			t.bySeq.DescendLessOrEqual(probe(&Record{Tenant: tenant, Seq: hi}), func(s *slot) bool {
				r := s.r
				return r.Tenant == tenant && r.Seq >= lo && emit(r)
			})
		} else {
			t.bySeq.AscendGreaterOrEqual(probe(&Record{Tenant: tenant, Seq: lo}), func(s *slot) bool {
				r := s.r
				return r.Tenant == tenant && r.Seq <= hi && emit(r)
			})
		}
	case "created_time":
		if !desc {
			t.created.AscendGreaterOrEqual(probe(&Record{Tenant: tenant}), inTenant(tenant, emit))
			break
		}
		// Newest first, ties by id ascending: walk the tree backwards and
		// emit each run of equal created_time in reverse.
		var run []*Record
		var at time.Time
		flush := func() bool {
			for i := len(run) - 1; i >= 0; i-- {
				if !emit(run[i]) {
					return false
				}
			}
			run = run[:0]
			return true
		}
		more := true
		descendTenant(t.created, tenant, &Record{Tenant: tenant + "\x00"}, func(r *Record) bool {
			if len(run) > 0 && !r.Created.Equal(at) {
				if more = flush(); !more {
					return false
				}
			}
			at = r.Created
			run = append(run, r)
			return true
		})
		if more {
			flush()
		}
	}
	if len(page.Records) == 0 {
		page.Records = []Record{}
	} else {
		page.Records = slices.Clip(page.Records)
	}
	return page, true
}

// seqUpper is the exclusive upper pivot for seq <= hi in tenant.
func seqUpper(tenant string, hi int64) *slot {
	if hi == math.MaxInt64 {
		return probe(&Record{Tenant: tenant + "\x00", Seq: math.MinInt64})
	}
	return probe(&Record{Tenant: tenant, Seq: hi + 1})
}

func inTenant(tenant string, fn func(*Record) bool) func(*slot) bool {
	return func(s *slot) bool { return s.r.Tenant == tenant && fn(s.r) }
}

// descendTenant walks tenant's rows backwards, starting below above (a
// pivot sorting after every row of tenant: the next tenant name).
func descendTenant(tree *btree.BTreeG[*slot], tenant string, above *Record, fn func(*Record) bool) {
	tree.DescendLessOrEqual(probe(above), func(s *slot) bool {
		r := s.r
		if r.Tenant != tenant {
			return r.Tenant > tenant // a row of the pivot tenant itself: skip it
		}
		return fn(r)
	})
}
