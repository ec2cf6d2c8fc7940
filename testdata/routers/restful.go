package main

import (
	"net/http"

	restful "github.com/emicklei/go-restful/v3"
)

func restfulRouter() http.Handler {
	c := restful.NewContainer()
	users := new(restful.WebService).Path("/users")
	users.Route(users.GET("/{id}").To(func(req *restful.Request, resp *restful.Response) {
		_, _ = resp.Write([]byte(user(req.PathParameter("id"))))
	}))
	users.Route(users.GET("/{id}/fail").To(func(req *restful.Request, resp *restful.Response) {
		_ = resp.WriteError(http.StatusInternalServerError, errFailed)
	}))
	users.Route(users.GET("/{id}/panic").To(func(req *restful.Request, resp *restful.Response) {
		panic("handler failed for user " + req.PathParameter("id"))
	}))
	c.Add(users)
	api := new(restful.WebService).Path("/api")
	api.Route(api.GET("/items/{id}").To(func(req *restful.Request, resp *restful.Response) {
		_, _ = resp.Write([]byte(item(req.PathParameter("id"))))
	}))
	c.Add(api)
	admin := new(restful.WebService).Path("/admin")
	admin.Filter(func(req *restful.Request, resp *restful.Response, chain *restful.FilterChain) {
		_ = resp.WriteErrorString(http.StatusForbidden, "forbidden")
	})
	admin.Route(admin.GET("/{section}").To(func(req *restful.Request, resp *restful.Response) {
		_, _ = resp.Write([]byte("admin " + req.PathParameter("section")))
	}))
	c.Add(admin)
	return c
}
