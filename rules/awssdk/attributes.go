package awssdk

import (
	"reflect"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// The service clients' input types are read by field name (Bucket, Key,
// TableName, ...), so that this package needs no service module: a program
// builds with the service modules it has, at their versions.

// field returns the exported field name of the struct *input points to,
// invalid if there is none.
func field(input any, name string) reflect.Value {
	v := reflect.ValueOf(input)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Elem().FieldByName(name)
}

// stringField returns the value of a *string or string field, "" if unset.
func stringField(input any, name string) string {
	f := field(input, name)
	if !f.IsValid() {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

func s3Attributes(input any) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if bucket := stringField(input, "Bucket"); bucket != "" {
		attrs = append(attrs, semconv.AWSS3Bucket(bucket))
	}
	if key := stringField(input, "Key"); key != "" {
		attrs = append(attrs, semconv.AWSS3Key(key))
	}
	return attrs
}

func dynamoDBAttributes(input any) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if table := stringField(input, "TableName"); table != "" {
		attrs = append(attrs, semconv.AWSDynamoDBTableNames(table))
	} else if items := field(input, "RequestItems"); items.IsValid() && items.Kind() == reflect.Map && items.Type().Key().Kind() == reflect.String {
		// BatchGetItem, BatchWriteItem: the tables of RequestItems.
		names := make([]string, 0, items.Len())
		for _, k := range items.MapKeys() {
			names = append(names, k.String())
		}
		if len(names) > 0 {
			sort.Strings(names)
			attrs = append(attrs, semconv.AWSDynamoDBTableNames(names...))
		}
	}
	// The request parameters the conventions name (GetItem, Query, Scan).
	if v, ok := boolField(input, "ConsistentRead"); ok {
		attrs = append(attrs, semconv.AWSDynamoDBConsistentRead(v))
	}
	if v := stringField(input, "ProjectionExpression"); v != "" {
		attrs = append(attrs, semconv.AWSDynamoDBProjection(v))
	}
	if v := stringField(input, "IndexName"); v != "" {
		attrs = append(attrs, semconv.AWSDynamoDBIndexName(v))
	}
	if v := stringField(input, "Select"); v != "" {
		attrs = append(attrs, semconv.AWSDynamoDBSelect(v))
	}
	if v, ok := intField(input, "Limit"); ok {
		attrs = append(attrs, semconv.AWSDynamoDBLimit(v))
	}
	if v, ok := boolField(input, "ScanIndexForward"); ok {
		attrs = append(attrs, semconv.AWSDynamoDBScanForward(v))
	}
	if v, ok := intField(input, "Segment"); ok {
		attrs = append(attrs, semconv.AWSDynamoDBSegment(v))
	}
	if v, ok := intField(input, "TotalSegments"); ok {
		attrs = append(attrs, semconv.AWSDynamoDBTotalSegments(v))
	}
	return attrs
}

// dynamoDBResultAttributes are the response's counts (Query, Scan).
func dynamoDBResultAttributes(result any) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if field(result, "Items").IsValid() { // Query, Scan
		if v, ok := intField(result, "Count"); ok {
			attrs = append(attrs, semconv.AWSDynamoDBCount(v))
		}
		if v, ok := intField(result, "ScannedCount"); ok {
			attrs = append(attrs, semconv.AWSDynamoDBScannedCount(v))
		}
	}
	return attrs
}

// boolField returns the value of a *bool or bool field, false if unset.
func boolField(input any, name string) (bool, bool) {
	f := deref(field(input, name))
	if !f.IsValid() || f.Kind() != reflect.Bool {
		return false, false
	}
	return f.Bool(), true
}

// intField returns the value of a *int32 or int32 (or other integer)
// field, false if unset.
func intField(input any, name string) (int, bool) {
	f := deref(field(input, name))
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return int(f.Int()), true
}

func deref(f reflect.Value) reflect.Value {
	if f.IsValid() && f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return reflect.Value{}
		}
		return f.Elem()
	}
	return f
}
