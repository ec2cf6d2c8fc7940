package gorm

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/utils/tests"

	"otelgo.dev/rules/api"
)

// The hook must fit the api convention for gorm.Open exactly.
var _ func(api.CallContext, *gorm.DB, error) = OpenOnExit

type Gadget struct {
	ID   uint
	Name string
}

// dummyDialector is gorm's test dialector with the default callbacks
// registered, as gorm's own DummyDialector does from v1.24 on (v1.22's
// registers none, and would build no SQL).
type dummyDialector struct{ tests.DummyDialector }

func (dummyDialector) Initialize(db *gorm.DB) error {
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	return nil
}

func setup(t *testing.T) (*gorm.DB, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	db, err := gorm.Open(dummyDialector{}, &gorm.Config{DryRun: true, SkipDefaultTransaction: true})
	if err != nil {
		t.Fatal(err)
	}
	OpenOnExit(nil, db, nil)
	return db, rec
}

func TestOperationSpans(t *testing.T) {
	db, rec := setup(t)
	ctx, parent := otel.Tracer("test").Start(context.Background(), "request")
	db.WithContext(ctx).Create(&Gadget{Name: "x"})
	db.WithContext(ctx).Where("name = ?", "x").Find(&[]Gadget{})
	db.WithContext(ctx).Model(&Gadget{}).Where("id = ?", 1).Update("name", "y")
	db.WithContext(ctx).Delete(&Gadget{}, 1)
	db.WithContext(ctx).Exec("DELETE FROM gadgets WHERE name = 'z'")
	parent.End()

	want := []struct{ name, sql string }{
		{"gorm.Create gadgets", "INSERT INTO `gadgets` (`name`) VALUES (?) RETURNING `id`"},
		{"gorm.Query gadgets", "SELECT * FROM `gadgets` WHERE name = ?"},
		{"gorm.Update gadgets", "UPDATE `gadgets` SET `name`=? WHERE id = ?"},
		{"gorm.Delete gadgets", "DELETE FROM `gadgets` WHERE `gadgets`.`id` = ?"},
		{"gorm.Raw", "DELETE FROM gadgets WHERE name = ?"},
	}
	spans := rec.Ended()
	if len(spans) != len(want)+1 {
		t.Fatalf("%d spans, want %d", len(spans), len(want)+1)
	}
	for i, w := range want {
		s := spans[i]
		if s.Name() != w.name || s.SpanKind() != trace.SpanKindInternal || s.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %d: %s kind %v parent %v", i, s.Name(), s.SpanKind(), s.Parent().SpanID())
		}
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		if attrs["db.query.text"] != w.sql || attrs["db.system.name"] != "other_sql" {
			t.Errorf("span %s: attributes %v, want db.query.text %q", s.Name(), attrs, w.sql)
		}
		if w.name != "gorm.Raw" && attrs["db.collection.name"] != "gadgets" {
			t.Errorf("span %s: db.collection.name %q", s.Name(), attrs["db.collection.name"])
		}
	}
}

func TestContextRestored(t *testing.T) {
	db, _ := setup(t)
	ctx := context.WithValue(context.Background(), stateKey{}, "mine")
	tx := db.WithContext(ctx).Create(&Gadget{Name: "x"})
	if tx.Statement.Context != ctx {
		t.Fatal("the statement's context was not restored")
	}
}

func TestErrorsAndNotFound(t *testing.T) {
	db, rec := setup(t)
	db.Callback().Query().Before("gorm:query").Register("test:fail", func(tx *gorm.DB) {
		if tx.Statement.Table == "broken" {
			tx.AddError(errors.New("boom"))
		} else {
			tx.AddError(gorm.ErrRecordNotFound)
		}
	})
	db.Table("broken").Find(&[]Gadget{})
	db.First(&Gadget{})
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	if spans[0].Status().Code.String() != "Error" || spans[0].Status().Description != "boom" {
		t.Errorf("failed query: status %v", spans[0].Status())
	}
	if spans[1].Status().Code.String() != "Unset" {
		t.Errorf("record not found: status %v", spans[1].Status())
	}
}

type officialPluginStandIn struct{}

func (officialPluginStandIn) Name() string              { return officialPlugin }
func (officialPluginStandIn) Initialize(*gorm.DB) error { return nil }

func TestOfficialPluginWins(t *testing.T) {
	db, rec := setup(t)
	if err := db.Use(officialPluginStandIn{}); err != nil {
		t.Fatal(err)
	}
	db.Create(&Gadget{Name: "x"})
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans with the official plugin installed", n)
	}
}
