FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home codewise && mkdir -p var && chown -R codewise var
USER codewise
EXPOSE 8000
CMD ["gunicorn", "coding_lms.wsgi:application", "--bind", "0.0.0.0:8000"]
