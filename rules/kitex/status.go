package kitex

import (
	"errors"
	"strconv"
	"strings"

	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/rpcinfo"

	semconv "otelgo.dev/rules/internal/semconv"
)

// outcome is how an RPC ended, as the conventions spell it.
type outcome struct {
	status    string // rpc.response.status_code, "" when the RPC succeeded
	errorType string // error.type, "" when the RPC succeeded
	message   string // the span's status description
}

// outcomeOf reads the RPC's error (kitex records it, or the panic, in the
// RPC's stats) and its business status error.
func outcomeOf(ri rpcinfo.RPCInfo) outcome {
	var err error
	if s := ri.Stats(); s != nil {
		err = s.Error()
		if err == nil {
			if panicked, v := s.Panicked(); panicked {
				if e, ok := v.(error); ok {
					err = e
				} else {
					err = kerrors.ErrPanic
				}
			}
		}
	}
	if biz := ri.Invocation().BizStatusErr(); biz != nil {
		code := strconv.Itoa(int(biz.BizStatusCode()))
		return outcome{status: code, errorType: code, message: biz.BizMessage()}
	}
	if err == nil {
		return outcome{}
	}
	return errorOutcome(err)
}

func errorOutcome(err error) outcome {
	if biz, ok := kerrors.FromBizStatusError(err); ok {
		code := strconv.Itoa(int(biz.BizStatusCode()))
		return outcome{status: code, errorType: code, message: biz.BizMessage()}
	}
	o := outcome{message: err.Error()}
	var exc interface{ TypeID() int32 }
	if errors.As(err, &exc) {
		o.status = exceptionName(exc.TypeID())
		o.errorType = o.status
		return o
	}
	var de *kerrors.DetailedError
	if errors.As(err, &de) {
		o.errorType = kindName(de.ErrorType())
		return o
	}
	if kerrors.IsKitexError(err) {
		o.errorType = kindName(err)
		return o
	}
	o.errorType = semconv.ErrorTypeOther.Value.AsString()
	return o
}

// kindName is kitex's kind of error: the message of its basic error
// ("rpc timeout"), spaces as underscores.
func kindName(basic error) string {
	return strings.ReplaceAll(basic.Error(), " ", "_")
}

// exceptionNames are Apache Thrift's TApplicationException types, and
// kitex's own (pkg/remote/trans_errors.go).
var exceptionNames = map[int32]string{
	0: "UNKNOWN", 1: "UNKNOWN_METHOD", 2: "INVALID_MESSAGE_TYPE", 3: "WRONG_METHOD_NAME",
	4: "BAD_SEQUENCE_ID", 5: "MISSING_RESULT", 6: "INTERNAL_ERROR", 7: "PROTOCOL_ERROR",
	8: "INVALID_TRANSFORM", 9: "INVALID_PROTOCOL", 10: "UNSUPPORTED_CLIENT_TYPE",
	20: "UNKNOWN_SERVICE", 21: "NO_SERVICE_NAME",
}

func exceptionName(id int32) string {
	if name, ok := exceptionNames[id]; ok {
		return name
	}
	return strconv.Itoa(int(id))
}
