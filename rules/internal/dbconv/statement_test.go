package dbconv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "otelgo.dev/rules/internal/semconv"
)

func TestStatement(t *testing.T) {
	info := NewInfo("postgresql", "app", "db", 5433)
	tests := []struct {
		query         string
		parameterized bool
		name          string
		attrs         map[string]string
	}{
		{"SELECT * FROM users WHERE id = $1", true, "SELECT users", map[string]string{
			"db.query.text": "SELECT * FROM users WHERE id = $1", "db.operation.name": "SELECT", "db.query.summary": "SELECT users"}},
		{"DELETE FROM users WHERE id = 7", false, "DELETE users", map[string]string{
			"db.query.text": "DELETE FROM users WHERE id = ?", "db.operation.name": "DELETE", "db.query.summary": "DELETE users"}},
		{"", false, "postgresql", map[string]string{}},
	}
	for _, tt := range tests {
		name, attrs := info.Statement(tt.query, tt.parameterized)
		want := map[string]string{"db.system.name": "postgresql", "db.namespace": "app", "server.address": "db", "server.port": "5433"}
		for k, v := range tt.attrs {
			want[k] = v
		}
		if got := attrMap(attrs); name != tt.name || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Statement(%q, %v) = %q, %v; want %q, %v", tt.query, tt.parameterized, name, got, tt.name, want)
		}
	}
	// The Info's own attributes are not written through.
	info.Statement("SELECT 1", false)
	if n := len(info.Attributes()); n != 4 {
		t.Errorf("the Info has %d attributes after Statement, want 4", n)
	}
}

func TestPreparedText(t *testing.T) {
	info := NewInfo("mysql", "", "", 0)
	if got := info.PreparedText("SELECT * FROM t WHERE a = ?"); got != "SELECT * FROM t WHERE a = ?" {
		t.Errorf("with placeholders: %q", got)
	}
	if got := info.PreparedText(`SELECT * FROM t WHERE a = "x"`); got != "SELECT * FROM t WHERE a = ?" {
		t.Errorf("without placeholders: %q", got)
	}
}

func TestInfoAccessors(t *testing.T) {
	info := NewInfo("", "ns", "h", 1)
	if info.System() != "other_sql" || info.Endpoint() != (Endpoint{"ns", "h", 1}) {
		t.Errorf("System %q, Endpoint %+v", info.System(), info.Endpoint())
	}
}

func TestRecordDuration(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	t.Cleanup(func() { otel.SetMeterProvider(prev) })

	start := time.Now()
	RecordDuration(context.Background(), "test/scope", start, start.Add(1500*time.Millisecond), []attribute.KeyValue{
		semconv.DBSystemNamePostgreSQL, semconv.DBOperationName("SELECT"),
		semconv.DBQueryText("SELECT 1"), semconv.DBOperationBatchSize(2),
	})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 1 {
		t.Fatalf("%d scopes", len(rm.ScopeMetrics))
	}
	sm := rm.ScopeMetrics[0]
	if sm.Scope.Name != "test/scope" || sm.Scope.SchemaURL != semconv.SchemaURL {
		t.Errorf("scope %+v", sm.Scope)
	}
	m := sm.Metrics[0]
	if m.Name != "db.client.operation.duration" || m.Unit != "s" {
		t.Errorf("metric %q in %q", m.Name, m.Unit)
	}
	points := m.Data.(metricdata.Histogram[float64]).DataPoints
	if len(points) != 1 || points[0].Sum != 1.5 {
		t.Fatalf("points %+v", points)
	}
	want := attribute.NewSet(semconv.DBSystemNamePostgreSQL, semconv.DBOperationName("SELECT"))
	if !points[0].Attributes.Equals(&want) {
		t.Errorf("attributes %v, want %v", points[0].Attributes.ToSlice(), want.ToSlice())
	}
}
