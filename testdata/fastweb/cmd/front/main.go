// front is a fasthttp server whose handlers call the back program: its
// fiber apps through fasthttp's Client, its hertz server through hertz's
// client, its GraphQL endpoint through a fasthttp HostClient, and its Books
// service through a connect client.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/cloudwego/hertz/pkg/app/client"
	"github.com/valyala/fasthttp"

	"example.com/fastweb/shop"
)

func main() {
	backV2, backV3, backHTTP := os.Getenv("BACK_V2"), os.Getenv("BACK_V3"), os.Getenv("BACK_HTTP")
	backHertz := os.Getenv("BACK_HERTZ")
	hz, err := client.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	client := &fasthttp.Client{}
	graphql := &fasthttp.HostClient{Addr: backHTTP}
	get := connect.NewClient[shop.BookRequest, shop.Book](http.DefaultClient, "http://"+backHTTP+shop.GetProcedure, connect.WithCodec(shop.JSONCodec{}))
	list := connect.NewClient[shop.BookRequest, shop.Book](http.DefaultClient, "http://"+backHTTP+shop.ListProcedure, connect.WithCodec(shop.JSONCodec{}))
	closed := closedAddr()

	handler := func(ctx *fasthttp.RequestCtx) {
		path := string(ctx.Path())
		switch {
		case path == "/hello":
			ctx.SetStatusCode(fasthttp.StatusOK)
			fmt.Fprintf(ctx, "hello %s", ctx.QueryArgs().Peek("name"))
		case path == "/boom":
			ctx.Error("boom", fasthttp.StatusInternalServerError)
		case strings.HasPrefix(path, "/v2/"):
			forward(ctx, client, "http://"+backV2+path[len("/v2"):])
		case strings.HasPrefix(path, "/v3/"):
			forward(ctx, client, "http://"+backV3+path[len("/v3"):])
		case strings.HasPrefix(path, "/hz/"):
			status, body, err := hz.Get(ctx, nil, "http://"+backHertz+path[len("/hz"):])
			if err != nil {
				ctx.Error(err.Error(), fasthttp.StatusBadGateway)
				return
			}
			ctx.SetStatusCode(status)
			ctx.SetBody(body)
		case path == "/graphql":
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + backHTTP + "/query")
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			req.SetBodyString(fmt.Sprintf(`{"query": %q}`, ctx.QueryArgs().Peek("q")))
			if err := graphql.DoTimeout(req, resp, 10*time.Second); err != nil {
				ctx.Error(err.Error(), fasthttp.StatusBadGateway)
				return
			}
			ctx.SetStatusCode(resp.StatusCode())
			ctx.SetBody(resp.Body())
		case path == "/rpc/get":
			// *fasthttp.RequestCtx is a context.Context.
			res, err := get.CallUnary(ctx, connect.NewRequest(&shop.BookRequest{ID: string(ctx.QueryArgs().Peek("id"))}))
			if err != nil {
				status := fasthttp.StatusBadGateway
				if connect.CodeOf(err) == connect.CodeNotFound {
					status = fasthttp.StatusNotFound
				}
				ctx.Error(err.Error(), status)
				return
			}
			ctx.SetBodyString(res.Msg.Title)
		case path == "/rpc/list":
			stream, err := list.CallServerStream(context.Background(), connect.NewRequest(&shop.BookRequest{}))
			if err != nil {
				ctx.Error(err.Error(), fasthttp.StatusBadGateway)
				return
			}
			var titles []string
			for stream.Receive() {
				titles = append(titles, stream.Msg().Title)
			}
			err = errors.Join(stream.Err(), stream.Close())
			if err != nil {
				ctx.Error(err.Error(), fasthttp.StatusBadGateway)
				return
			}
			ctx.SetBodyString(strings.Join(titles, ","))
		case path == "/down":
			status, _, err := client.GetTimeout(nil, "http://"+closed+"/nothing", 5*time.Second)
			if err == nil {
				ctx.Error(fmt.Sprintf("unexpected %d", status), fasthttp.StatusInternalServerError)
				return
			}
			ctx.Error(err.Error(), fasthttp.StatusBadGateway)
		default:
			ctx.Error("not found", fasthttp.StatusNotFound)
		}
	}
	log.Fatal(fasthttp.ListenAndServe(os.Getenv("ADDR"), handler))
}

// forward sends a GET to url with fasthttp's Client and answers with what
// came back.
func forward(ctx *fasthttp.RequestCtx, client *fasthttp.Client, url string) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	if err := client.Do(req, resp); err != nil {
		ctx.Error(err.Error(), fasthttp.StatusBadGateway)
		return
	}
	ctx.SetStatusCode(resp.StatusCode())
	ctx.SetBody(resp.Body())
}

// closedAddr is an address nothing listens on.
func closedAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
