// Command kitexapp is a kitex server or an HTTP frontend that calls it,
// with kitex's JSON generic call over echo.thrift (parsed at run time, no
// generated code).
//
//	kitexapp server    serves the Echo service on $ADDR
//	kitexapp frontend  serves HTTP on $ADDR: GET /say, /fail, /find call the
//	                   Echo service at $KITEX_ADDR with the request's context
//	                   over TTHeader; /unknown calls a method the IDL lacks
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/genericclient"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/server/genericserver"
	"github.com/cloudwego/kitex/transport"
)

//go:embed echo.thrift
var idl string

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: kitexapp server|frontend")
	}
	p, err := generic.NewThriftContentProvider(idl, nil)
	if err != nil {
		log.Fatal(err)
	}
	g, err := generic.JSONThriftGeneric(p)
	if err != nil {
		log.Fatal(err)
	}
	switch os.Args[1] {
	case "server":
		serve(g)
	case "frontend":
		frontend(g)
	default:
		log.Fatalf("unknown role %q", os.Args[1])
	}
}

type echo struct{}

func (*echo) GenericCall(ctx context.Context, method string, request interface{}) (interface{}, error) {
	switch method {
	case "Say":
		return request, nil
	case "Fail":
		return nil, errors.New("the handler failed")
	case "Find":
		return nil, kerrors.NewBizStatusError(404, "nothing found")
	}
	return nil, fmt.Errorf("unexpected method %s", method)
}

func serve(g generic.Generic) {
	addr, err := net.ResolveTCPAddr("tcp", os.Getenv("ADDR"))
	if err != nil {
		log.Fatal(err)
	}
	svr := genericserver.NewServer(&echo{}, g, server.WithServiceAddr(addr),
		// TTHeader carries business status errors with this handler.
		server.WithMetaHandler(transmeta.ServerTTHeaderHandler))
	log.Fatal(svr.Run())
}

func frontend(g generic.Generic) {
	cli, err := genericclient.NewClient("echo", g,
		client.WithHostPorts(os.Getenv("KITEX_ADDR")),
		client.WithTransportProtocol(transport.TTHeader),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler))
	if err != nil {
		log.Fatal(err)
	}
	call := func(method string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			req := fmt.Sprintf(`{"message": %q}`, r.URL.Query().Get("m"))
			resp, err := cli.GenericCall(r.Context(), method, req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			fmt.Fprintln(w, resp)
		}
	}
	http.HandleFunc("/say", call("Say"))
	http.HandleFunc("/fail", call("Fail"))
	http.HandleFunc("/find", call("Find"))
	http.HandleFunc("/unknown", call("Missing"))
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
