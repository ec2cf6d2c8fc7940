module example.com/routers

go 1.25.0

require (
	github.com/emicklei/go-restful/v3 v3.0.0
	github.com/gin-gonic/gin v1.7.0
	github.com/go-chi/chi v1.5.5
	github.com/go-chi/chi/v5 v5.0.0
	github.com/gorilla/mux v1.7.3
	github.com/julienschmidt/httprouter v1.3.0
	github.com/labstack/echo v3.3.0+incompatible
	github.com/labstack/echo/v4 v4.0.0
	github.com/labstack/echo/v5 v5.0.0
)

require (
	github.com/gin-contrib/sse v0.1.0 // indirect
	github.com/go-playground/locales v0.13.0 // indirect
	github.com/go-playground/universal-translator v0.17.0 // indirect
	github.com/go-playground/validator/v10 v10.4.1 // indirect
	github.com/golang/protobuf v1.5.4 // indirect
	github.com/json-iterator/go v1.1.9 // indirect
	github.com/labstack/gommon v0.2.8 // indirect
	github.com/leodido/go-urn v1.2.0 // indirect
	github.com/mattn/go-colorable v0.0.9 // indirect
	github.com/mattn/go-isatty v0.0.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180228061459-e0a39a4cb421 // indirect
	github.com/modern-go/reflect2 v0.0.0-20180701023420-4b7aa43c6742 // indirect
	github.com/ugorji/go/codec v1.1.7 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/fasttemplate v0.0.0-20170224212429-dcecefd839c4 // indirect
	golang.org/x/crypto v0.47.0 // indirect
	golang.org/x/net v0.49.0 // indirect
	golang.org/x/sys v0.40.0 // indirect
	golang.org/x/text v0.33.0 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)
