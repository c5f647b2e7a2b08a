# Shortcuts; each calls ./dev, which works without make too.
.PHONY: demo test ui lint
demo:
	./dev demo
test:
	./dev test
ui:
	./dev ui
lint:
	./dev lint
