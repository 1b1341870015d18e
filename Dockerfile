# Citeline web image: gunicorn serving the Django app, static files through whitenoise.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir uv
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN uv sync --no-dev --no-install-project

COPY . .
# Settings refuse to start without these; collectstatic needs no real secret.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home citeline && mkdir -p /app/media && chown -R citeline /app
USER citeline
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn timeline.wsgi:application"]
