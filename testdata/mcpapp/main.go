// mcpapp is a Model Context Protocol client and server, with two SDKs: the
// official one (github.com/modelcontextprotocol/go-sdk, "gosdk") and
// github.com/mark3labs/mcp-go ("mcpgo"). Run as "mcpapp serve SDK", it is
// an MCP server on stdio made with that SDK, with the tools "add" and
// "divide"; run with no argument, it listens on ADDR and each request to
// /CLIENT-SERVER (/gosdk-gosdk, /mcpgo-mcpgo, /gosdk-mcpgo, /mcpgo-gosdk)
// starts the server of one SDK as a child process and calls it with the
// client of the other over stdio: initialize, tools/list, tools/call add,
// tools/call divide by zero (a tool error) and tools/call of a tool that
// does not exist (a JSON-RPC error); /gosdk-http does the same with the
// go-sdk over Streamable HTTP, its server in a child process ("mcpapp serve
// gosdk-http", which prints the port it listens on). It has no
// OpenTelemetry code: otelgo adds it.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type pair struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

type number struct {
	Result float64 `json:"result"`
}

func serveGoSDK() error {
	return newGoSDKServer().Run(context.Background(), &mcp.StdioTransport{})
}

func newGoSDKServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "calculator", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "add", Description: "Adds two numbers"},
		func(ctx context.Context, req *mcp.CallToolRequest, in pair) (*mcp.CallToolResult, number, error) {
			return nil, number{in.A + in.B}, nil
		})
	mcp.AddTool(server, &mcp.Tool{Name: "divide", Description: "Divides a by b"},
		func(ctx context.Context, req *mcp.CallToolRequest, in pair) (*mcp.CallToolResult, number, error) {
			if in.B == 0 {
				return nil, number{}, errors.New("division by zero")
			}
			return nil, number{in.A / in.B}, nil
		})
	return server
}

// serverCommand is this program run as the MCP server of sdk.
func serverCommand(sdk string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "serve", sdk)
	cmd.Env = append(os.Environ(), "OTEL_SERVICE_NAME=mcpapp-server")
	cmd.Stderr = os.Stderr
	return cmd
}

func serveMCPGo() error {
	s := mcpserver.NewMCPServer("calculator", "1.0.0")
	numbers := []mcpgo.ToolOption{
		mcpgo.WithNumber("a", mcpgo.Required()),
		mcpgo.WithNumber("b", mcpgo.Required()),
	}
	s.AddTool(mcpgo.NewTool("add", append([]mcpgo.ToolOption{mcpgo.WithDescription("Adds two numbers")}, numbers...)...),
		func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			return mcpgo.NewToolResultText(fmt.Sprint(req.GetFloat("a", 0) + req.GetFloat("b", 0))), nil
		})
	s.AddTool(mcpgo.NewTool("divide", append([]mcpgo.ToolOption{mcpgo.WithDescription("Divides a by b")}, numbers...)...),
		func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			if req.GetFloat("b", 0) == 0 {
				return mcpgo.NewToolResultError("division by zero"), nil
			}
			return mcpgo.NewToolResultText(fmt.Sprint(req.GetFloat("a", 0) / req.GetFloat("b", 0))), nil
		})
	return mcpserver.ServeStdio(s)
}

func clientMCPGo(ctx context.Context, server string) (string, error) {
	c, err := mcpclient.NewStdioMCPClient(os.Args[0], []string{"OTEL_SERVICE_NAME=mcpapp-server"}, "serve", server)
	if err != nil {
		return "", err
	}
	defer c.Close()
	init := mcpgo.InitializeRequest{}
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "mcpapp", Version: "1.0.0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return "", err
	}
	var out []string
	tools, err := c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		return "", err
	}
	for _, t := range tools.Tools {
		out = append(out, t.Name)
	}
	call := func(name string, args map[string]any) (*mcpgo.CallToolResult, error) {
		req := mcpgo.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		return c.CallTool(ctx, req)
	}
	res, err := call("add", map[string]any{"a": 2, "b": 3})
	if err != nil {
		return "", err
	}
	out = append(out, fmt.Sprintf("add.isError=%v", res.IsError))
	res, err = call("divide", map[string]any{"a": 1, "b": 0})
	if err != nil {
		return "", err
	}
	out = append(out, fmt.Sprintf("divide.isError=%v", res.IsError))
	_, err = call("nope", map[string]any{})
	out = append(out, fmt.Sprintf("nope=%v", err))
	return strings.Join(out, " "), nil
}

func clientGoSDK(ctx context.Context, server string) (string, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "mcpapp", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: serverCommand(server)}, nil)
	if err != nil {
		return "", err
	}
	defer session.Close()
	return callGoSDK(ctx, session)
}

// serveGoSDKHTTP serves the go-sdk server over Streamable HTTP on a free
// loopback port, which it prints, until it is stopped.
func serveGoSDKHTTP() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := newGoSDKServer()
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	return http.Serve(ln, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
}

// clientGoSDKHTTP starts the go-sdk server over Streamable HTTP in a child
// process and calls it.
func clientGoSDKHTTP(ctx context.Context) (string, error) {
	cmd := serverCommand("gosdk-http")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	var port int
	if _, err := fmt.Fscanf(bufio.NewReader(stdout), "PORT %d\n", &port); err != nil {
		return "", err
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "mcpapp", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: fmt.Sprintf("http://127.0.0.1:%d/mcp", port)}, nil)
	if err != nil {
		return "", err
	}
	defer session.Close()
	return callGoSDK(ctx, session)
}

func callGoSDK(ctx context.Context, session *mcp.ClientSession) (string, error) {
	var out []string
	tools, err := session.ListTools(ctx, nil)
	if err != nil {
		return "", err
	}
	for _, t := range tools.Tools {
		out = append(out, t.Name)
	}
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 2, "b": 3}})
	if err != nil {
		return "", err
	}
	out = append(out, fmt.Sprintf("add.isError=%v", res.IsError))
	res, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "divide", Arguments: map[string]any{"a": 1, "b": 0}})
	if err != nil {
		return "", err
	}
	out = append(out, fmt.Sprintf("divide.isError=%v", res.IsError))
	_, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "nope", Arguments: map[string]any{}})
	out = append(out, fmt.Sprintf("nope=%v", err))
	return strings.Join(out, " "), nil
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "serve" {
		var err error
		switch os.Args[2] {
		case "gosdk":
			err = serveGoSDK()
		case "mcpgo":
			err = serveMCPGo()
		case "gosdk-http":
			err = serveGoSDKHTTP()
		default:
			err = fmt.Errorf("unknown SDK %q", os.Args[2])
		}
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	clients := map[string]func(context.Context, string) (string, error){"gosdk": clientGoSDK, "mcpgo": clientMCPGo}
	routes := map[string]func(context.Context) (string, error){}
	for client, fn := range clients {
		for _, server := range []string{"gosdk", "mcpgo"} {
			routes["/"+client+"-"+server] = func(ctx context.Context) (string, error) { return fn(ctx, server) }
		}
	}
	routes["/gosdk-http"] = clientGoSDKHTTP
	mux := http.NewServeMux()
	for path, fn := range routes {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			out, err := fn(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			fmt.Fprintln(w, out)
		})
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
