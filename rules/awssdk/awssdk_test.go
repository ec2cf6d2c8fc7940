package awssdk

import (
	"context"
	"testing"

	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/spantest"
)

// The hook must fit the api convention for its target exactly.
var _ func(api.CallContext, middleware.Handler, []middleware.Middleware) = DecorateHandlerOnEnter

func newStack() *middleware.Stack {
	return middleware.NewStack("PutObject", func() interface{} { return nil })
}

func TestMiddlewaresAddedOnce(t *testing.T) {
	stack := newStack()
	DecorateHandlerOnEnter(nil, nil, []middleware.Middleware{stack})
	DecorateHandlerOnEnter(nil, nil, []middleware.Middleware{stack})
	if got := stack.Initialize.List(); len(got) != 1 || got[0] != spanID {
		t.Errorf("initialize: %v", got)
	}
	if got := stack.Finalize.List(); len(got) != 1 || got[0] != requestID {
		t.Errorf("finalize: %v", got)
	}
	if got := stack.Deserialize.List(); len(got) != 1 || got[0] != responseID {
		t.Errorf("deserialize: %v", got)
	}
}

type named string

func (n named) ID() string { return string(n) }
func (named) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	return next.HandleInitialize(ctx, in)
}
func (named) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	return next.HandleFinalize(ctx, in)
}

func TestOtelawsAndPresignStacksLeftAlone(t *testing.T) {
	withOtelaws := newStack()
	_ = withOtelaws.Initialize.Add(named(otelawsID), middleware.After)
	presign := newStack()
	_ = presign.Finalize.Add(named(presignID), middleware.After)
	DecorateHandlerOnEnter(nil, nil, []middleware.Middleware{withOtelaws, presign})
	if len(withOtelaws.Initialize.List()) != 1 || len(presign.Initialize.List()) != 0 {
		t.Errorf("instrumented: %v, %v", withOtelaws.Initialize.List(), presign.Initialize.List())
	}
}

// The shapes of the sqs package's types that the SQS code reads by name.
type messageAttributeValue struct {
	BinaryValue []byte
	DataType    *string
	StringValue *string
}

type sendMessageInput struct {
	QueueUrl          *string
	MessageBody       *string
	MessageAttributes map[string]messageAttributeValue
}

type receiveMessageInput struct {
	QueueUrl              *string
	MessageAttributeNames []string
}

type message struct {
	MessageId         *string
	MessageAttributes map[string]messageAttributeValue
}

type receiveMessageOutput struct{ Messages []message }

func str(s string) *string { return &s }

func TestSendCarriesTheContextOnACopy(t *testing.T) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	in := &sendMessageInput{QueueUrl: str("http://h/1/q"), MessageAttributes: map[string]messageAttributeValue{"k": {DataType: str("String"), StringValue: str("v")}}}
	c := newSQSCall("SendMessage", in)
	if c.kind != trace.SpanKindProducer {
		t.Errorf("kind %v", c.kind)
	}
	out := c.prepare(spantest.Context(), in).(*sendMessageInput)
	if out == in || len(in.MessageAttributes) != 1 {
		t.Fatalf("the program's input was changed")
	}
	tp := out.MessageAttributes["traceparent"]
	if tp.DataType == nil || *tp.DataType != "String" || *tp.StringValue != "00-"+spantest.TraceHex+"-"+spantest.SpanHex+"-00" {
		t.Errorf("attributes %v", out.MessageAttributes)
	}
	if sc := extract(reflectValue(out.MessageAttributes)); sc.SpanID().String() != spantest.SpanHex {
		t.Errorf("extracted %v", sc)
	}
	full := &sendMessageInput{MessageAttributes: map[string]messageAttributeValue{}}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		full.MessageAttributes[k] = messageAttributeValue{DataType: str("String"), StringValue: str(k)}
	}
	if got := c.prepare(spantest.Context(), full); got != any(full) {
		t.Errorf("a message with 10 attributes got more")
	}
}

func TestReceiveAsksForTheContextAndHidesIt(t *testing.T) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	in := &receiveMessageInput{QueueUrl: str("http://h/1/q")}
	c := newSQSCall("ReceiveMessage", in)
	out := c.prepare(context.Background(), in).(*receiveMessageInput)
	if len(in.MessageAttributeNames) != 0 || len(out.MessageAttributeNames) != 2 || out.MessageAttributeNames[0] != "traceparent" {
		t.Fatalf("asked for %v (program's %v)", out.MessageAttributeNames, in.MessageAttributeNames)
	}
	all := &receiveMessageInput{MessageAttributeNames: []string{"All"}}
	if got := newSQSCall("ReceiveMessage", all).prepare(context.Background(), all); got != any(all) {
		t.Errorf("a receive of all attributes changed")
	}
	result := &receiveMessageOutput{Messages: []message{{
		MessageId:         str("m1"),
		MessageAttributes: map[string]messageAttributeValue{"traceparent": {DataType: str("String"), StringValue: str("00-" + spantest.TraceHex + "-" + spantest.SpanHex + "-01")}},
	}}}
	rec := &recordingSpan{}
	c.finish(rec, result)
	if len(rec.links) != 1 || rec.links[0].SpanContext.SpanID().String() != spantest.SpanHex {
		t.Errorf("links %v", rec.links)
	}
	if result.Messages[0].MessageAttributes != nil {
		t.Errorf("the added attribute was left: %v", result.Messages[0].MessageAttributes)
	}
}

func TestQueueName(t *testing.T) {
	for url, want := range map[string]string{"http://127.0.0.1:5000/123456789012/q1": "q1", "https://sqs.us-east-1.amazonaws.com/1/orders/": "orders", "::": ""} {
		if got := queueName(url); got != want {
			t.Errorf("%q: %q", url, got)
		}
	}
}

// The shapes of dynamodb's QueryInput and QueryOutput that are read by name.
type queryInput struct {
	TableName            *string
	IndexName            *string
	ConsistentRead       *bool
	Limit                *int32
	ProjectionExpression *string
	ScanIndexForward     *bool
	Select               string
}

type queryOutput struct {
	Items        []map[string]any
	Count        int32
	ScannedCount int32
}

func TestDynamoDBAttributes(t *testing.T) {
	yes, five := true, int32(5)
	in := &queryInput{TableName: str("t"), ConsistentRead: &yes, Limit: &five, ProjectionExpression: str("id"), Select: "SPECIFIC_ATTRIBUTES"}
	got := map[string]any{}
	for _, kv := range dynamoDBAttributes(in) {
		got[string(kv.Key)] = kv.Value.AsInterface()
	}
	want := map[string]any{
		"aws.dynamodb.table_names": []string{"t"}, "aws.dynamodb.consistent_read": true, "aws.dynamodb.limit": int64(5),
		"aws.dynamodb.projection": "id", "aws.dynamodb.select": "SPECIFIC_ATTRIBUTES",
	}
	if len(got) != len(want) {
		t.Fatalf("attributes %v", got)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || !equal(g, v) {
			t.Errorf("%s: %v, want %v", k, g, v)
		}
	}
	res := dynamoDBResultAttributes(&queryOutput{Items: []map[string]any{{}}, Count: 1, ScannedCount: 3})
	if len(res) != 2 || res[0].Value.AsInt64() != 1 || res[1].Value.AsInt64() != 3 {
		t.Errorf("result attributes %v", res)
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, _ := b.([]string)
		return len(as) == len(bs) && (len(as) == 0 || as[0] == bs[0])
	}
	return a == b
}
